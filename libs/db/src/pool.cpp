#include "comanda/db/pool.hpp"

#include <algorithm>
#include <thread>

#include "comanda/core/backoff.hpp"
#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"

namespace comanda::db {

std::string WithDefaultParameters(const std::string& url, const std::string& application_name) {
  std::string out = url;
  auto add = [&out](const std::string& key, const std::string& value) {
    if (out.find(key + "=") != std::string::npos) return;  // the operator's choice wins
    out += (out.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
  };
  add("connect_timeout", "3");
  add("application_name", application_name);
  // A statement that runs longer than this is a bug or an overload: fail it, do not hang a worker.
  add("options", "-c%20statement_timeout%3D5000");
  return out;
}

Pool::Lease::Lease(Pool& pool, std::unique_ptr<pqxx::connection> connection)
    : pool_{&pool}, connection_{std::move(connection)} {}

Pool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_));
}

Pool::Pool(std::string url, std::size_t size, std::vector<Statement> statements)
    : url_{std::move(url)},
      size_{std::max<std::size_t>(size, 1)},
      statements_{std::move(statements)} {}

Pool::~Pool() = default;

core::Error Pool::Unavailable() {
  return core::Error{core::Errc::kUnavailable, "The database is unavailable."};
}

Pool::Lease Pool::Acquire() {
  if (!initialized_.load()) throw Unavailable();
  return AcquireUnchecked();
}

Pool::Lease Pool::AcquireUnchecked() {
  std::unique_lock lock{mutex_};
  // Sized to the worker pool, so a wait here is short; bound it anyway.
  if (!available_.wait_for(lock, std::chrono::seconds{5},
                           [this] { return !idle_.empty() || open_ < size_; })) {
    throw core::Error{core::Errc::kUnavailable, "The database is busy."};
  }
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (StillOpen(*connection)) return Lease{*this, std::move(connection)};
    --open_;  // closed by the server while idle: dropped; a fresh one is opened below if needed
  }
  ++open_;
  lock.unlock();
  try {
    Lease lease{*this, Open(url_, statements_)};
    NoteConnected();
    return lease;
  } catch (const std::exception& e) {
    {
      std::lock_guard relock{mutex_};
      --open_;
    }
    available_.notify_one();
    NoteConnectFailure(e.what());
    throw Unavailable();
  }
}

// While the database is down every request, readiness probe and consumer probe tries to connect:
// one warning when that starts, then one every kFailureLogEvery with the count, and one line when
// a connection succeeds again.
void Pool::NoteConnectFailure(const char* error) {
  constexpr std::chrono::seconds kFailureLogEvery{30};
  std::unique_lock lock{log_mutex_};
  ++unlogged_failures_;
  const auto now = std::chrono::steady_clock::now();
  if (failing_ && now < next_failure_log_) return;
  const bool first = !failing_;
  failing_ = true;
  next_failure_log_ = now + kFailureLogEvery;
  const auto failures = std::exchange(unlogged_failures_, 0);
  lock.unlock();
  core::log::Warn(first ? "database connection failed" : "database connections still failing",
                  {{"error", error},
                   {"failures", failures},
                   {"nextReportInS", static_cast<std::int64_t>(kFailureLogEvery.count())}});
}

void Pool::NoteConnected() {
  std::unique_lock lock{log_mutex_};
  if (!failing_) return;
  failing_ = false;
  const auto failures = std::exchange(unlogged_failures_, 0);
  lock.unlock();
  core::log::Info("database connection restored", {{"failuresSinceLastReport", failures}});
}

void Pool::Release(std::unique_ptr<pqxx::connection> connection) noexcept {
  {
    std::lock_guard lock{mutex_};
    if (connection && connection->is_open()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

void Pool::DropIdle() noexcept {
  std::vector<std::unique_ptr<pqxx::connection>> stale;
  {
    std::lock_guard lock{mutex_};
    stale.swap(idle_);
    open_ -= stale.size();
  }
  available_.notify_all();
  // `stale` closes here, outside the lock.
}

bool Pool::Ping() {
  if (!initialized_.load()) return false;
  try {
    Run([](pqxx::connection& connection) {
      pqxx::nontransaction query{connection};
      query.exec("SELECT 1");
    });
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void Pool::InitializeInBackground(std::vector<Migration> migrations,
                                  std::function<void(pqxx::connection&)> after) {
  initializer_ = std::jthread{[this, migrations = std::move(migrations), after = std::move(after)](
                                  std::stop_token stop) { Initialize(migrations, after, stop); }};
}

void Pool::Initialize(const std::vector<Migration>& migrations,
                      const std::function<void(pqxx::connection&)>& after, std::stop_token stop) {
  core::Backoff backoff;
  for (int attempt = 1; !stop.stop_requested(); ++attempt) {
    try {
      auto lease = AcquireUnchecked();
      try {
        const int applied = Migrate(*lease, migrations);
        if (after) after(*lease);
        initialized_ = true;
        core::log::Info("database ready", {{"migrationsApplied", applied}, {"attempt", attempt}});
        return;
      } catch (const pqxx::broken_connection&) {
        lease.Discard();
        throw;
      }
    } catch (const std::exception& e) {
      const auto delay = backoff.Next();
      core::log::Warn("database not ready, retrying",
                      {{"error", e.what()}, {"attempt", attempt}, {"retryInMs", delay.count()}});
      core::SleepFor(stop, delay);
    }
  }
}

}  // namespace comanda::db
