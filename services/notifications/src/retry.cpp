#include "retry.hpp"

#include <algorithm>
#include <charconv>

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
  auto delay = policy.base_delay;
  for (int i = 2; i < next_attempt && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, policy.max_delay);
}

std::optional<std::chrono::milliseconds> NextRetry(const RetryPolicy& policy, int attempt) {
  if (attempt >= policy.max_attempts) return std::nullopt;
  return RetryDelay(policy, attempt + 1);
}

}  // namespace comanda::notifications
