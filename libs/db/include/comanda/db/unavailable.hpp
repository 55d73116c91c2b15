#pragma once

#include <exception>
#include <string_view>

namespace comanda::db {

/// The one answer to "is the database unavailable?" (as opposed to "is this statement or its data
/// wrong?"). True for core::Error with kUnavailable (what db::Pool reports), a broken connection,
/// a commit or statement whose outcome is unknown, and an SQL error whose SQLSTATE says so (see
/// IsUnavailableSqlState). Everything else, known or not, is false. The pool retries and answers
/// 503 on it; workers reconnect on it; the notifications consumer pauses on it instead of
/// spending a message's retries.
bool IsUnavailable(const std::exception& error) noexcept;

/// True for a whole SQLSTATE of class 08 (connection exception), 53 (insufficient resources), 57
/// (operator intervention: shutdown, cancel, statement timeout) or 58 (system error).
bool IsUnavailableSqlState(std::string_view sqlstate) noexcept;

}  // namespace comanda::db
