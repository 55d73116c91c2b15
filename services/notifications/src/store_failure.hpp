#pragma once

#include <exception>
#include <string_view>

namespace comanda::notifications {

/// Why storing a notification failed, as far as it decides what happens to the message.
enum class StoreFailure {
  /// The database is not there (refused or broken connection, a commit whose outcome is unknown,
  /// shutdown, out of resources): the event is fine, so the consumer waits for the database with
  /// the
  /// delivery in hand instead of spending the message's retries.
  kDatabaseUnavailable,
  /// Anything else, known (a constraint or data error) or not: the message may be at fault, so it
  /// takes the retry queue and, when its attempts are spent, the DLQ.
  kMessage,
};

/// Classifies an exception thrown by NotificationStore::Store. Unavailable: core::Error with
/// kUnavailable (what db::Pool::Run turns connection failures into), pqxx::broken_connection,
/// pqxx::in_doubt_error, pqxx::statement_completion_unknown, and pqxx::sql_error whose SQLSTATE is
/// of class 08 (connection exception), 53 (insufficient resources), 57 (operator intervention) or
/// 58 (system error). Everything else: kMessage.
StoreFailure ClassifyStoreFailure(const std::exception& error) noexcept;

/// True for the SQLSTATE classes above (`08006`, `57P01`, ...).
bool IsUnavailableSqlState(std::string_view sqlstate) noexcept;

}  // namespace comanda::notifications
