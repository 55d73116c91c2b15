#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "comanda/bus/consumer.hpp"

namespace comanda::notifications {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{300'000};
};

/// Which attempt a delivery is: the `x-attempt` header (1 when absent or unreadable).
int AttemptOf(const bus::DeliveryProperties& properties);

/// The delay before attempt `next_attempt` (2, 3, ...): base * 2^(next_attempt - 2), at most
/// `max_delay`. So the first retry waits `base`, the second twice that, and so on.
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int next_attempt);

/// After a failed `attempt`: the delay before the next one, or nullopt when attempts are spent.
std::optional<std::chrono::milliseconds> NextRetry(const RetryPolicy& policy, int attempt);

}  // namespace comanda::notifications
