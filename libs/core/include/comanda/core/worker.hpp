#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include "comanda/core/backoff.hpp"

namespace comanda::core {

/// One kind of background work (the outbox relay, the pruner, a consumer), run step after step
/// by a Worker. Only Step() is the work; the loop, the waits and the logging are the Worker's.
class Task {
 public:
  virtual ~Task() = default;
  /// One step: returns when done (it may wait for work, watching `stop`). A throw is a failure.
  virtual void Step(std::stop_token stop) = 0;
  /// After a failed step, before the backoff: drops what failed (a connection) and returns the
  /// line to log, e.g. "outbox relay cannot publish, retrying".
  virtual std::string_view Recover(const std::exception& error) noexcept = 0;
  /// Once, on the worker's thread, when it stops (close connections).
  virtual void Stopped() noexcept {}
  /// Non-empty: the task has nothing to do with this configuration, and no thread is started.
  virtual std::string_view DisabledBecause() const { return {}; }
};

struct WorkerOptions {
  /// No step runs before this says true (e.g. the request pool has created the schema).
  std::function<bool()> ready;
  /// The wait after each failure in a row.
  Backoff::Options backoff{};
  std::chrono::milliseconds ready_poll{100};
};

/// A named background thread that runs a Task until the service stops: it waits for `ready`,
/// calls Step() again and again, and after a failure logs it (with the delay) and waits a backoff
/// that the next successful step resets. Stops with `service_stop` or when destroyed (the step in
/// hand finishes first), logging "<name> stopped".
class Worker {
 public:
  Worker(std::string name, Task& task, std::stop_token service_stop, WorkerOptions options = {});
  ~Worker() = default;  // requests stop and joins (thread_)
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

 private:
  struct RequestStop {
    std::jthread* thread;
    void operator()() const noexcept { thread->request_stop(); }
  };
  void Run(std::stop_token stop);

  std::string name_;
  Task& task_;
  WorkerOptions options_;
  std::jthread thread_;
  std::stop_callback<RequestStop> forward_stop_;  // after thread_: destroyed before the join
};

}  // namespace comanda::core
