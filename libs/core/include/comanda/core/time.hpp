#pragma once

#include <chrono>
#include <string>

namespace comanda::core {

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-28T02:04:31.123Z`.
std::string FormatRfc3339(std::chrono::system_clock::time_point time);
std::string NowRfc3339();

}  // namespace comanda::core
