#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "comanda/db/pool.hpp"

namespace comanda::users {

/// How logins to one account are slowed down (docs/decisions.md, "Accounts" of issue 17).
struct ThrottlePolicy {
  int free_attempts = 5;                 // within a window, before any delay
  std::chrono::seconds max_delay{60};    // the longest wait ever imposed: never a lockout
  std::chrono::seconds window{15 * 60};  // attempts older than this are forgotten
};

/// The delay before the next attempt after `attempts` in a window: none for the free ones, then
/// 2, 4, 8, ... seconds, at most `max_delay`.
std::chrono::seconds DelayAfter(int attempts, const ThrottlePolicy& policy) noexcept;

/// Login attempts per account, kept in PostgreSQL so that every replica sees the same counts.
class LoginThrottle {
 public:
  LoginThrottle(db::Pool& db, ThrottlePolicy policy) : db_{db}, policy_{policy} {}

  static std::vector<db::Statement> Statements();

  /// Counts an attempt on `email`; zero when it may go ahead, else how long to wait (nothing
  /// counted).
  std::chrono::seconds Claim(const std::string& email);
  /// Forgets the attempts on `email` (a successful login).
  void Clear(const std::string& email);

 private:
  db::Pool& db_;
  ThrottlePolicy policy_;
};

}  // namespace comanda::users
