#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "comanda/core/config.hpp"
#include "comanda/core/metrics.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"

namespace boost::asio {
class io_context;
}

namespace comanda::http {

/// A handler runs on the worker pool: plain blocking code. It throws core::Error for expected
/// failures; anything else becomes a 500 whose detail is logged, never sent.
using Handler = std::function<Response(const Request&)>;

/// The answer to a request taken by a route's fast path. A cheap handle, usable from any thread:
/// the first Answer or Fallback counts, later calls do nothing. Dropping every copy without
/// either answers 500 (a bug in the fast path).
class Responder {
 public:
  struct State;
  explicit Responder(std::shared_ptr<State> state) noexcept : state_{std::move(state)} {}

  const Request& request() const noexcept;
  /// Writes `response`.
  void Answer(Response response) const;
  /// Runs the route's handler on the worker pool, as if there were no fast path.
  void Fallback() const;

 private:
  std::shared_ptr<State> state_;
};

/// Runs on an I/O thread and must never block: it starts asynchronous work (a cache read, say)
/// whose completion answers, or falls back to the blocking handler. An exception falls back.
using FastPath = std::function<void(const Responder&)>;

/// One entry of the route table. `path` uses express syntax: `/orders/:id`.
struct Route {
  std::string method;  // GET (HEAD is served too), POST, PUT, PATCH, DELETE
  std::string path;
  Handler handler;
  /// Optional: tried first, on the I/O thread, for answers that need no blocking work.
  FastPath fast_path = {};
};

/// A dependency probed by `/ready`: `probe` throws (or returns false) when it does not answer.
/// A check that is not `required` is reported but does not make `/ready` fail (an optimisation
/// such as a cache, or a dependency the service can work without for a while).
struct ReadinessCheck {
  std::string name;
  std::function<bool()> probe;
  bool required = true;
};

/// Owns a service's threads: the I/O threads, the bounded worker pool, the metrics registry and
/// signal handling. Serve() blocks until SIGTERM or SIGINT, then stops accepting, lets in-flight
/// requests finish (at most the configured DRAIN_TIMEOUT_MS), and returns 0. Limits and timeouts
/// come from CommonConfig::http.
class Runtime {
 public:
  explicit Runtime(const core::CommonConfig& config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  core::metrics::Registry& metrics() noexcept;
  /// Requested when shutdown begins; background loops watch it.
  std::stop_token stop_token() const noexcept;
  /// The I/O threads' context, for asynchronous clients used by fast paths. It runs only inside
  /// Serve(): such clients must be destroyed after Serve() returns, before the Runtime.
  boost::asio::io_context& io_context() noexcept;

  /// Serves the routes plus `/health`, `/ready` and `/metrics`; returns the exit code.
  int Serve(std::vector<Route> routes, std::vector<ReadinessCheck> checks);

  struct Impl;  // defined in server.cpp only

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace comanda::http
