#pragma once

#include <string>
#include <string_view>

namespace comanda::core {

/// A random (version 4) UUID in lower-case canonical form.
std::string NewUuid();

/// True for a canonical 8-4-4-4-12 hex UUID (either case).
bool IsUuid(std::string_view text) noexcept;

/// True for a client request id we echo: 1 to 128 characters of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view text) noexcept;

/// The client's request id when valid, else a new one.
std::string RequestIdOrNew(std::string_view from_client);

}  // namespace comanda::core
