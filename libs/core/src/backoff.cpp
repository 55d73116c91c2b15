#include "comanda/core/backoff.hpp"

#include <algorithm>

namespace comanda::core {

Backoff::Backoff(Options options, std::uint64_t seed)
    : options_{options}, random_{static_cast<std::minstd_rand::result_type>(seed)} {
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
}

std::chrono::milliseconds Backoff::Nominal(const Options& options, int retry) noexcept {
  auto delay = std::max(options.first, std::chrono::milliseconds{0});
  for (int i = 0; i < retry && delay < options.cap; ++i) delay *= 2;
  return std::min(delay, options.cap);
}

std::chrono::milliseconds Backoff::Next() {
  const auto nominal = Nominal(options_, step_);
  if (nominal < options_.cap) ++step_;
  if (options_.jitter <= 0.0 || nominal.count() <= 0) return nominal;
  std::uniform_real_distribution<double> cut{0.0, options_.jitter};
  const auto shortened = static_cast<double>(nominal.count()) * (1.0 - cut(random_));
  return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(shortened)};
}

}  // namespace comanda::core
