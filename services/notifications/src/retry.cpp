#include "retry.hpp"

#include <algorithm>
#include <charconv>

#include "comanda/core/backoff.hpp"

namespace comanda::notifications {

int AttemptOf(const bus::DeliveryProperties& properties) {
  const auto header = properties.Header("x-attempt");
  if (!header) return 1;
  int attempt = 0;
  const auto [ptr, ec] = std::from_chars(header->data(), header->data() + header->size(), attempt);
  if (ec != std::errc{} || ptr != header->data() + header->size() || attempt < 1) return 1;
  return attempt;
}

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int next_attempt) {
  return core::Backoff::Nominal({policy.base_delay, policy.max_delay, 0.0},
                                std::max(next_attempt - 2, 0));
}

std::optional<std::chrono::milliseconds> NextRetry(const RetryPolicy& policy, int attempt) {
  if (attempt >= policy.max_attempts) return std::nullopt;
  return RetryDelay(policy, attempt + 1);
}

}  // namespace comanda::notifications
