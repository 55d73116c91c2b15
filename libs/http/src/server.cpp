// The only translation unit that sees RESTinio and Asio: everything else uses Request/Response.
#include "comanda/http/server.hpp"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <map>
#include <mutex>
#include <restinio/all.hpp>
#include <thread>
#include <unordered_map>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange under C++20

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"
#include "comanda/core/trace.hpp"

namespace comanda::http {
namespace {

namespace asio = boost::asio;
using core::Errc;
using core::Error;

using Router = restinio::router::express_router_t<>;
// The request handler is a plain function that checks the path before the router sees it (the
// router drops the connection on a malformed percent escape instead of answering).
using Traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t>;
using Server = restinio::http_server_t<Traits>;
using Clock = std::chrono::steady_clock;

restinio::http_method_id_t MethodId(const std::string& method) {
  static const std::map<std::string, restinio::http_method_id_t> kMethods{
      {"GET", restinio::http_method_get()},
      {"POST", restinio::http_method_post()},
      {"PUT", restinio::http_method_put()},
      {"PATCH", restinio::http_method_patch()},
      {"DELETE", restinio::http_method_delete()}};
  const auto it = kMethods.find(method);
  if (it == kMethods.end()) throw std::invalid_argument{"unsupported route method " + method};
  return it->second;
}

// The `:name` parameters of an express route pattern, in order.
std::vector<std::string> ParamNames(const std::string& pattern) {
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  std::vector<std::string> names;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != ':') continue;
    std::size_t end = i + 1;
    while (end < pattern.size() && is_name_char(pattern[end])) ++end;
    if (end > i + 1) names.push_back(pattern.substr(i + 1, end - i - 1));
    i = end - 1;
  }
  return names;
}

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// URL paths are case-sensitive: `/REGISTER` is not `/register`.
restinio::path2regex::options_t RouteOptions() {
  return restinio::path2regex::options_t{}.sensitive(true);
}

}  // namespace

struct Runtime::Impl {
  explicit Impl(const core::CommonConfig& cfg) : config{cfg}, io{cfg.io_threads} {}

  core::CommonConfig config;
  metrics::Registry registry;
  std::stop_source stop;
  asio::io_context io;
  std::unique_ptr<asio::thread_pool> workers;
  std::atomic<int> in_flight{0};  // accepted and not yet written
  std::atomic<bool> draining{false};
  std::size_t max_body_bytes = 0;

  // The request counter and latency histogram of one (route, method, status), looked up once:
  // the registry renders and compares label sets, which is too slow to do for every request.
  struct RouteMetrics {
    metrics::Counter* requests;
    metrics::Histogram* duration;
  };
  std::mutex route_metrics_mutex;
  std::unordered_map<std::string, RouteMetrics>
      route_metrics;  // bounded: routes x methods x statuses

  const RouteMetrics& MetricsFor(const std::string& route, const std::string& method, int status) {
    std::string key;
    key.reserve(route.size() + method.size() + 5);
    key.append(route).append(1, ' ').append(method).append(1, ' ').append(std::to_string(status));
    std::lock_guard lock{route_metrics_mutex};
    auto it = route_metrics.find(key);
    if (it == route_metrics.end()) {
      const metrics::Labels labels{
          {"route", route}, {"method", method}, {"status", std::to_string(status)}};
      RouteMetrics found{
          &registry.GetCounter("http_requests_total", "HTTP requests by route, method and status.",
                               labels),
          &registry.GetHistogram("http_request_duration_seconds", "HTTP request latency.", labels)};
      it = route_metrics.emplace(std::move(key), found).first;
    }
    return it->second;
  }

  // Writes `response` for `req`, adding the request id; counts the request as finished once the
  // bytes are written (or the connection is gone).
  void Write(const restinio::request_handle_t& req, const std::string& request_id,
             Response response, const std::string& route, Clock::time_point started) {
    const auto status = response.status;
    auto builder = req->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(status)}, ReasonPhrase(status)});
    builder.append_header("X-Request-Id", request_id);
    if (!response.content_type.empty()) {
      builder.append_header(restinio::http_field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) builder.append_header(name, std::move(value));
    if (draining.load()) builder.connection_close();
    builder.set_body(std::move(response.body));
    builder.done([this](const auto&) { in_flight.fetch_sub(1); });

    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const auto method = std::string{req->header().method().c_str()};
    const auto& counted = MetricsFor(route, method, status);
    counted.requests->Inc();
    counted.duration->Observe(seconds);
    log::Request(request_id, method, req->header().path(), status, seconds * 1000);
  }

  std::string RequestIdOf(const restinio::request_handle_t& req) const {
    return core::RequestIdOrNew(req->header().get_field_or("X-Request-Id", ""));
  }

  // Answers at once on the I/O thread: only for cheap work that touches no dependency.
  restinio::request_handling_status_t Inline(const restinio::request_handle_t& req,
                                             const std::string& route,
                                             const std::string& request_id, Response response) {
    in_flight.fetch_add(1);
    Write(req, request_id, std::move(response), route, Clock::now());
    return restinio::request_accepted();
  }

  Request ToRequest(const restinio::request_handle_t& req, const std::string& route,
                    const std::vector<std::pair<std::string, std::string>>& params,
                    std::string request_id) const {
    Request request;
    request.method = req->header().method().c_str();
    request.path = std::string{req->header().path()};
    request.route = route;
    request.request_id = std::move(request_id);
    req->header().for_each_field([&request](const restinio::http_header_field_t& field) {
      std::string name = field.name();
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), field.value());
    });
    try {
      const auto query = restinio::parse_query(req->header().query());
      for (const auto& [key, value] : query) request.query.emplace_back(key, value);
    } catch (const std::exception&) {
      throw Error{Errc::kBadRequest, "The query string is not properly encoded."};
    }
    request.params = params;
    request.body = req->body();
    if (request.body.size() > max_body_bytes) {
      throw Error{Errc::kPayloadTooLarge,
                  "The request body is larger than " + std::to_string(max_body_bytes) + " bytes."};
    }
    return request;
  }

  // Runs `handler` for `request` on a worker thread, turning exceptions into problem answers.
  static Response Run(const Handler& handler, const Request& request) {
    try {
      return handler(request);
    } catch (const Error& error) {
      if (error.errc() == Errc::kInternal || error.errc() == Errc::kUnavailable) {
        log::Warn("request error", {{"code", error.code()}, {"detail", error.detail()}});
      }
      return Problem(error, request.request_id);
    } catch (const std::exception& e) {
      log::Error("unhandled exception", {{"error", e.what()}});
    } catch (...) {
      log::Error("unhandled non-standard exception");
    }
    return Problem(Error{Errc::kInternal, "An unexpected error occurred."}, request.request_id);
  }

  // Runs on a worker thread.
  void Dispatch(const restinio::request_handle_t& req, const Handler& handler,
                const std::string& route, std::vector<std::pair<std::string, std::string>> params,
                Clock::time_point started) {
    const auto request_id = RequestIdOf(req);
    log::RequestScope scope{request_id};
    // The caller's W3C trace (a new span of it), or a new trace: every line of this request has it.
    const trace::Scope trace_scope{
        trace::ContinueOrStart(req->header().get_field_or("traceparent", ""))};
    Response response;
    try {
      response = Run(handler, ToRequest(req, route, params, request_id));
    } catch (const Error& error) {  // from ToRequest
      response = Problem(error, request_id);
    }
    Write(req, request_id, std::move(response), route, started);
  }

  restinio::request_handling_status_t Accept(
      const restinio::request_handle_t& req, const Route& route,
      std::vector<std::pair<std::string, std::string>> params) {
    const auto started = Clock::now();
    const int queued = in_flight.fetch_add(1);
    if (draining.load() || queued >= config.worker_threads + config.max_queued_requests) {
      const auto request_id = RequestIdOf(req);
      const auto detail =
          draining.load() ? "The service is shutting down." : "The service is busy.";
      Write(req, request_id,
            Problem(Error{Errc::kUnavailable, detail}.WithCode("SERVICE_BUSY"), request_id),
            route.path, started);
      return restinio::request_accepted();
    }
    if (route.fast_path) {
      TryFastPath(req, route, params, started);
      return restinio::request_accepted();
    }
    asio::post(*workers, [this, req, &route, params = std::move(params), started]() mutable {
      Dispatch(req, route.handler, route.path, std::move(params), started);
    });
    return restinio::request_accepted();
  }

  void TryFastPath(const restinio::request_handle_t& req, const Route& route,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   Clock::time_point started) {
    auto request_id = RequestIdOf(req);
    // The answer may be written on another thread (a cache callback): the state keeps the trace.
    auto context = trace::ContinueOrStart(req->header().get_field_or("traceparent", ""));
    const trace::Scope trace_scope{context};
    Request request;
    try {
      request = ToRequest(req, route.path, params, request_id);
    } catch (const Error& error) {
      Write(req, request_id, Problem(error, request_id), route.path, started);
      return;
    }
    const Responder responder{std::make_shared<Responder::State>(
        *this, req, std::move(request), route, started, std::move(context))};
    try {
      route.fast_path(responder);
    } catch (const std::exception&) {
      responder.Fallback();  // the handler gives the proper answer, an error included
    }
  }
};

// A request taken by a fast path, until it is answered.
struct Responder::State {
  State(Runtime::Impl& runtime_impl, restinio::request_handle_t handle, Request req,
        const Route& matched, Clock::time_point start, trace::Context context)
      : trace{std::move(context)},
        impl{runtime_impl},
        raw{std::move(handle)},
        request{std::move(req)},
        route{matched},
        started{start} {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (answered.exchange(true)) return;
    const trace::Scope trace_scope{trace};
    try {
      log::Error("fast path dropped a request", {{"route", route.path}});
      impl.Write(
          raw, request.request_id,
          Problem(Error{Errc::kInternal, "An unexpected error occurred."}, request.request_id),
          route.path, started);
    } catch (const std::exception&) {  // nothing more can be done for this request
    }
  }

  trace::Context trace;
  Runtime::Impl& impl;
  restinio::request_handle_t raw;
  Request request;
  const Route& route;
  Clock::time_point started;
  std::atomic<bool> answered{false};
};

const Request& Responder::request() const noexcept { return state_->request; }

void Responder::Answer(Response response) const {
  if (state_->answered.exchange(true)) return;
  const trace::Scope trace_scope{state_->trace};
  state_->impl.Write(state_->raw, state_->request.request_id, std::move(response),
                     state_->route.path, state_->started);
}

void Responder::Fallback() const {
  if (state_->answered.exchange(true)) return;
  asio::post(*state_->impl.workers, [state = state_] {
    log::RequestScope scope{state->request.request_id};
    const trace::Scope trace_scope{state->trace};
    state->impl.Write(state->raw, state->request.request_id,
                      Runtime::Impl::Run(state->route.handler, state->request), state->route.path,
                      state->started);
  });
}

Runtime::Runtime(const core::CommonConfig& config) : impl_{std::make_unique<Impl>(config)} {
  log::Init(config.service, config.log_level);
  // A peer that closed its socket must give an error on write, not kill the process (hiredis
  // writes with plain write(2)).
  std::signal(SIGPIPE, SIG_IGN);
}

Runtime::~Runtime() = default;

metrics::Registry& Runtime::metrics() noexcept { return impl_->registry; }

std::stop_token Runtime::stop_token() const noexcept { return impl_->stop.get_token(); }

boost::asio::io_context& Runtime::io_context() noexcept { return impl_->io; }

int Runtime::Serve(std::vector<Route> routes, std::vector<ReadinessCheck> checks) {
  auto& impl = *impl_;
  impl.max_body_bytes = max_body_bytes;
  impl.workers =
      std::make_unique<asio::thread_pool>(static_cast<std::size_t>(impl.config.worker_threads));

  routes.push_back({"GET", "/ready", [checks = std::move(checks)](const Request&) {
                      nlohmann::json results = nlohmann::json::object();
                      bool all_up = true;
                      for (const auto& check : checks) {
                        bool up = false;
                        try {
                          up = check.probe();
                        } catch (const std::exception&) {
                          up = false;
                        }
                        results[check.name] = up ? "up" : "down";
                        all_up = all_up && (up || !check.required);
                      }
                      auto response =
                          Json(all_up ? 200 : 503,
                               {{"status", all_up ? "ok" : "unavailable"}, {"checks", results}});
                      if (!all_up) response.Header("Retry-After", "2");
                      return response;
                    }});

  auto router = std::make_shared<Router>();
  router->add_handler(
      restinio::http_method_get(), "/health", RouteOptions(), [&impl](const auto& req, auto) {
        return impl.Inline(req, "/health", impl.RequestIdOf(req), Json(200, {{"status", "ok"}}));
      });
  router->add_handler(
      restinio::http_method_get(), "/metrics", RouteOptions(), [&impl](const auto& req, auto) {
        return impl.Inline(
            req, "/metrics", impl.RequestIdOf(req),
            Text(200, impl.registry.Render(), "text/plain; version=0.0.4; charset=utf-8"));
      });

  // Handlers live in this table for the server's lifetime; the router refers to them.
  std::map<std::string, restinio::router::dynamic_none_of_methods_matcher_t> others;
  std::map<std::string, std::string> allowed;
  for (const auto* inline_path : {"/health", "/metrics"}) {
    others[inline_path].add(restinio::http_method_get());
    allowed[inline_path] = "GET";
  }
  for (const auto& route : routes) {
    const auto names = ParamNames(route.path);
    router->add_handler(MethodId(route.method), route.path, RouteOptions(),
                        [&impl, &route, names](const restinio::request_handle_t& req,
                                               restinio::router::route_params_t params) {
                          std::vector<std::pair<std::string, std::string>> values;
                          for (const auto& name : names)
                            values.emplace_back(name, std::string{params[name]});
                          return impl.Accept(req, route, std::move(values));
                        });
    others[route.path].add(MethodId(route.method));
    auto& allow = allowed[route.path];
    allow += (allow.empty() ? "" : ", ") + route.method;
  }
  for (auto& [path, matcher] : others) {
    router->add_handler(std::move(matcher), path, RouteOptions(),
                        [&impl, path = path, allow = allowed[path]](const auto& req, auto) {
                          const auto request_id = impl.RequestIdOf(req);
                          auto response = Problem(
                              Error{Errc::kMethodNotAllowed, "This resource allows " + allow + "."},
                              request_id);
                          response.Header("Allow", allow);
                          return impl.Inline(req, path, request_id, std::move(response));
                        });
  }
  router->non_matched_request_handler([&impl](const auto& req) {
    const auto request_id = impl.RequestIdOf(req);
    return impl.Inline(req, "unmatched", request_id,
                       Problem(Error{Errc::kNotFound, "No resource at this path."}, request_id));
  });

  Server server{
      restinio::external_io_context(impl.io),
      restinio::server_settings_t<Traits>{}
          .port(static_cast<std::uint16_t>(impl.config.port))
          .address("0.0.0.0")
          .request_handler([&impl, router = std::move(router)](restinio::request_handle_t req) {
            if (!IsValidPath(req->header().path())) {
              const auto request_id = impl.RequestIdOf(req);
              return impl.Inline(
                  req, "unmatched", request_id,
                  Problem(Error{Errc::kBadRequest, "The request path is malformed."}, request_id));
            }
            return (*router)(std::move(req));
          })
          .read_next_http_message_timelimit(std::chrono::seconds{60})
          .write_http_response_timelimit(std::chrono::seconds{10})
          .handle_request_timeout(request_timeout)
          .max_pipelined_requests(16)
          // RESTinio closes the connection past this; up to it, ToRequest answers 413 itself.
          .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                        .max_body_size(1024 * 1024)
                                        .max_url_size(8 * 1024)
                                        .max_field_count(100))};

  asio::signal_set signals{impl.io, SIGINT, SIGTERM};
  asio::steady_timer drain_timer{impl.io};
  Clock::time_point drain_deadline;
  std::function<void()> wait_for_drain = [&] {
    if (impl.in_flight.load() == 0 || Clock::now() >= drain_deadline) {
      if (impl.in_flight.load() != 0)
        log::Warn("drain timed out", {{"inFlight", impl.in_flight.load()}});
      impl.io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds{5});
    drain_timer.async_wait([&](const auto&) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::Info("shutting down", {{"signal", signal}, {"inFlight", impl.in_flight.load()}});
    impl.draining = true;
    impl.stop.request_stop();
    // Stop accepting; open connections finish their requests (new ones get 503, Connection: close).
    server.close_async([] {}, [](const std::exception_ptr&) {});
    drain_deadline = Clock::now() + drain_timeout;
    wait_for_drain();
  });

  server.open_sync();
  log::Info("listening", {{"port", impl.config.port},
                          {"ioThreads", impl.config.io_threads},
                          {"workerThreads", impl.config.worker_threads}});
  std::vector<std::thread> io_threads;
  for (int i = 1; i < impl.config.io_threads; ++i) io_threads.emplace_back([&] { impl.io.run(); });
  impl.io.run();
  for (auto& thread : io_threads) thread.join();
  impl.workers->join();
  log::Info("stopped");
  return 0;
}

}  // namespace comanda::http
