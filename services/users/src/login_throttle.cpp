#include "login_throttle.hpp"

#include <algorithm>
#include <cmath>

namespace comanda::users {
namespace {

constexpr auto kClaim = "login_throttle_claim";
constexpr auto kBlocked = "login_throttle_blocked";
constexpr auto kClear = "login_throttle_clear";
constexpr auto kRemaining = "login_throttle_remaining";

}  // namespace

std::chrono::seconds DelayAfter(int attempts, const ThrottlePolicy& policy) noexcept {
  if (attempts <= policy.free_attempts) return std::chrono::seconds{0};
  const int doublings = std::min(attempts - policy.free_attempts, 30);
  return std::min(std::chrono::seconds{std::int64_t{1} << doublings}, policy.max_delay);
}

std::vector<db::Statement> LoginThrottle::Statements() {
  return {
      // One statement, so that concurrent attempts on one account (on any replica) are counted one
      // by one: the row lock of ON CONFLICT orders them. Nothing is counted while blocked.
      // $2: window (s), $3: the delay after this attempt (s), computed by the caller from $4 = the
      // attempts it expects; the caller re-checks with the returned count.
      {kClaim,
       "INSERT INTO login_throttle AS t (email, attempts, last_attempt, blocked_until) "
       "VALUES ($1, 1, now(), now()) "
       "ON CONFLICT (email) DO UPDATE SET "
       "  attempts = CASE WHEN t.last_attempt < now() - make_interval(secs => $2) THEN 1 "
       "                  ELSE t.attempts + 1 END, "
       "  last_attempt = now() "
       "WHERE t.blocked_until <= now() "
       "RETURNING attempts"},
      {kBlocked,
       "UPDATE login_throttle SET blocked_until = now() + make_interval(secs => $2) "
       "WHERE email = $1"},
      {kClear, "DELETE FROM login_throttle WHERE email = $1"},
      {kRemaining,
       "SELECT GREATEST(1, ceil(extract(epoch FROM blocked_until - now())))::int "
       "FROM login_throttle WHERE email = $1"},
  };
}

std::chrono::seconds LoginThrottle::Claim(const std::string& email) {
  return db_.Transact([&](pqxx::work& tx) {
    const auto window = static_cast<double>(policy_.window.count());
    const auto claimed = tx.exec_prepared(kClaim, email, window);
    if (claimed.empty()) {  // blocked: how long still
      const auto left = tx.exec_prepared(kRemaining, email);
      return std::chrono::seconds{left.empty() ? 1 : left[0][0].as<int>()};
    }
    const auto attempts = claimed[0][0].as<int>();
    const auto delay = DelayAfter(attempts, policy_);
    if (delay.count() > 0) {
      tx.exec_prepared(kBlocked, email, static_cast<double>(delay.count()));
    }
    if (attempts == 1) {
      // A new row: forget up to 10 rows of accounts nobody tried within the window, so that
      // guesses at many addresses cannot grow the table without bound.
      tx.exec_params(
          "DELETE FROM login_throttle WHERE email IN (SELECT email FROM login_throttle "
          "WHERE last_attempt < now() - make_interval(secs => $1) LIMIT 10)",
          window);
    }
    return std::chrono::seconds{0};
  });
}

void LoginThrottle::Clear(const std::string& email) {
  db_.Transact([&](pqxx::work& tx) { tx.exec_prepared(kClear, email); });
}

}  // namespace comanda::users
