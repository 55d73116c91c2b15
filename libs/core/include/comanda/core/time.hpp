#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace comanda::core {

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-28T02:04:31.123Z`.
std::string FormatRfc3339(std::chrono::system_clock::time_point time);
std::string NowRfc3339();
/// Any RFC 3339 date-time (`Z` or an offset, any fraction, `t`/`z` in lower case); nullopt for
/// anything else or an impossible date. A leap second counts as :59.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

/// Waits `delay`, or less: returns as soon as `stop` is requested (for background threads).
void SleepFor(std::stop_token stop, std::chrono::milliseconds delay);

}  // namespace comanda::core
