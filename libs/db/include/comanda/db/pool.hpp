#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "comanda/core/error.hpp"
#include "comanda/db/connection.hpp"
#include "comanda/db/migrations.hpp"
#include "comanda/db/unavailable.hpp"

namespace comanda::db {

/// A fixed number of PostgreSQL connections, opened lazily and reopened after a failure.
/// Until Initialize() has succeeded, Acquire() throws core::Error{kUnavailable}.
class Pool {
 public:
  Pool(std::string url, std::size_t size, std::vector<Statement> statements);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Borrowed connection; goes back to the pool when destroyed unless discarded.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<pqxx::connection> connection);
    ~Lease();
    // A moved-from lease must not give anything back: it owns no connection any more.
    Lease(Lease&& other) noexcept
        : pool_{std::exchange(other.pool_, nullptr)}, connection_{std::move(other.connection_)} {}
    Lease& operator=(Lease&&) = delete;
    pqxx::connection& operator*() const noexcept { return *connection_; }
    pqxx::connection* operator->() const noexcept { return connection_.get(); }
    /// Drops the connection instead of returning it (after a connection failure).
    void Discard() noexcept { connection_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  /// Runs `work` with a connection. A connection that turns out to be broken (PostgreSQL was
  /// restarted, say) is dropped together with every idle one, and `work` runs once more on a fresh
  /// connection: a broken connection means nothing was committed, so this is safe, and the caller
  /// does not pay for a stale pool. A second failure, or a commit whose outcome is unknown, becomes
  /// core::Error{kUnavailable} (503). So does a commit that PostgreSQL reports as done although
  /// its synchronous standby never confirmed it (UnreplicatedCommitWatch). Other database errors
  /// propagate.
  template <class Work>
  decltype(auto) Run(Work&& work) {
    for (int attempt = 1;; ++attempt) {
      auto lease = Acquire();
      try {
        return Watched(*lease, work);
      } catch (const pqxx::in_doubt_error&) {
        lease.Discard();
        throw Unavailable();
      } catch (const pqxx::statement_completion_unknown&) {  // it may have run: never again
        lease.Discard();
        throw Unavailable();
      } catch (const pqxx::failure& e) {
        if (!IsUnavailable(e)) throw;
        lease.Discard();
        DropIdle();
        if (attempt >= 2) throw Unavailable();
      }
    }
  }

  /// Runs `work`, which writes with one statement that commits by itself (no BEGIN/COMMIT round
  /// trips). If the connection breaks while that statement runs, nobody knows whether it
  /// committed: that is core::Error{kUnavailable}, unless `retry_is_safe` (the statement is
  /// idempotent, e.g. guarded by a unique key), in which case it runs once more like Run().
  /// Connections that died while idle are already weeded out when taken from the pool.
  template <class Work>
  decltype(auto) RunStatement(bool retry_is_safe, Work&& work) {
    return Run([&work, retry_is_safe](pqxx::connection& connection) -> decltype(auto) {
      try {
        return work(connection);
      } catch (const pqxx::broken_connection&) {
        if (retry_is_safe) throw;
        throw pqxx::in_doubt_error{"the connection broke during a write"};
      }
    });
  }

  /// Runs `work` in a transaction and commits it.
  template <class Work>
  decltype(auto) Transact(Work&& work) {
    return Run([&work](pqxx::connection& connection) -> decltype(auto) {
      pqxx::work transaction{connection};
      return CallThen(work, transaction, [&transaction] { transaction.commit(); });
    });
  }

  /// Connects, migrates and then runs `after` (e.g. seeding), retrying with core::Backoff (100 ms
  /// to 5 s) until it succeeds or `stop` is requested. Blocks: run it on its own thread.
  void Initialize(const std::vector<Migration>& migrations,
                  const std::function<void(pqxx::connection&)>& after, std::stop_token stop);

  /// Initialize() on a thread of the pool's own (requests are answered 503 meanwhile), stopped
  /// and joined when the pool is destroyed.
  void InitializeInBackground(std::vector<Migration> migrations,
                              std::function<void(pqxx::connection&)> after = {});

  /// True once Initialize() has succeeded.
  bool initialized() const noexcept { return initialized_.load(); }
  /// Readiness probe: initialized and `SELECT 1` answers.
  bool Ping();

  Lease Acquire();

 private:
  static core::Error Unavailable();
  /// `work(argument)`, then `after()`; returns what `work` returned, if anything.
  template <class Work, class Argument, class After>
  static decltype(auto) CallThen(Work& work, Argument& argument, After&& after) {
    if constexpr (std::is_void_v<decltype(work(argument))>) {
      work(argument);
      after();
    } else {
      decltype(auto) result = work(argument);
      after();
      return result;
    }
  }
  /// `work`, then UnreplicatedCommitWatch::Check(); the watch is gone before the caller may
  /// discard the connection.
  template <class Work>
  static decltype(auto) Watched(pqxx::connection& connection, Work& work) {
    UnreplicatedCommitWatch watch{connection};
    return CallThen(work, connection, [&watch] { watch.Check(); });
  }
  Lease AcquireUnchecked();
  void Release(std::unique_ptr<pqxx::connection> connection) noexcept;
  /// Connect failures are logged when they start, then at most every 30 s, and the recovery once.
  void NoteConnectFailure(const char* error);
  void NoteConnected();
  /// Closes every idle connection (after one was found broken, the others likely are too).
  void DropIdle() noexcept;

  std::string url_;
  std::size_t size_;
  std::vector<Statement> statements_;
  std::atomic<bool> initialized_{false};
  std::mutex log_mutex_;  // guards the three below
  bool failing_ = false;
  std::int64_t unlogged_failures_ = 0;
  std::chrono::steady_clock::time_point next_failure_log_{};
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;      // idle plus leased
  std::jthread initializer_;  // last: stopped and joined before the rest goes
};

/// Adds libpq parameters we always want (connect and statement timeouts) to a postgresql:// URL.
std::string WithDefaultParameters(const std::string& url, const std::string& application_name);

}  // namespace comanda::db
