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

namespace comanda::http {

/// A handler runs on the worker pool: plain blocking code. It throws core::Error for expected
/// failures; anything else becomes a 500 whose detail is logged, never sent.
using Handler = std::function<Response(const Request&)>;

/// One entry of the route table. `path` uses express syntax: `/orders/:id`.
struct Route {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;
  Handler handler;
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
/// requests finish (at most `drain_timeout`), and returns 0.
class Runtime {
 public:
  explicit Runtime(const core::CommonConfig& config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  metrics::Registry& metrics() noexcept;
  /// Requested when shutdown begins; background loops watch it.
  std::stop_token stop_token() const noexcept;

  /// Serves the routes plus `/health`, `/ready` and `/metrics`; returns the exit code.
  int Serve(std::vector<Route> routes, std::vector<ReadinessCheck> checks);

  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds drain_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace comanda::http
