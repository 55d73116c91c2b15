#pragma once

#include <chrono>
#include <stop_token>
#include <string>

namespace comanda::core {

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-28T02:04:31.123Z`.
std::string FormatRfc3339(std::chrono::system_clock::time_point time);
std::string NowRfc3339();

/// Waits `delay`, or less: returns as soon as `stop` is requested (for background threads).
void SleepFor(std::stop_token stop, std::chrono::milliseconds delay);

}  // namespace comanda::core
