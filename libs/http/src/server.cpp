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
#include "comanda/http/stream.hpp"
#include "edge_socket.hpp"

namespace comanda::http {
namespace {

namespace asio = boost::asio;
using core::Errc;
using core::Error;

using Router = restinio::router::express_router_t<>;
// The request handler is a plain function that checks the path before the router sees it (the
// router drops the connection on a malformed percent escape instead of answering). The socket and
// logger answer what RESTinio's parser refuses (edge_socket.hpp). No connection count limiter:
// in RESTinio 0.6.16 a connection still alive at shutdown outlives the acceptor that owns the
// limiter its destructor decrements (a use-after-free ASan reports at SIGTERM).
using Traits = restinio::traits_t<restinio::asio_timer_manager_t, EdgeLogger,
                                  restinio::default_request_handler_t, restinio::default_strand_t,
                                  AnsweringSocket>;
using Server = restinio::http_server_t<Traits>;
using Clock = std::chrono::steady_clock;

restinio::http_method_id_t MethodId(const std::string& method) {
  static const std::map<std::string, restinio::http_method_id_t> kMethods{
      {"GET", restinio::http_method_get()},     {"HEAD", restinio::http_method_head()},
      {"POST", restinio::http_method_post()},   {"PUT", restinio::http_method_put()},
      {"PATCH", restinio::http_method_patch()}, {"DELETE", restinio::http_method_delete()}};
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
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 505:
      return "HTTP Version Not Supported";
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
  core::metrics::Registry registry;
  std::stop_source stop;
  asio::io_context io;
  std::unique_ptr<asio::thread_pool> workers;
  std::atomic<int> in_flight{0};     // accepted and not yet written
  std::atomic<int> open_streams{0};  // streams answered and not yet closed (not in in_flight)
  std::atomic<bool> draining{false};

  // The request counter and latency histogram of one (route, method, status), looked up once:
  // the registry renders and compares label sets, which is too slow to do for every request.
  struct RouteMetrics {
    core::metrics::Counter* requests;
    core::metrics::Histogram* duration;
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
      const core::metrics::Labels labels{
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
  // bytes are written (or the connection is gone). A HEAD answer is the GET answer without body.
  void Write(const restinio::request_handle_t& req, const std::string& request_id,
             Response response, const std::string& route, Clock::time_point started) {
    const auto status = response.status;
    const restinio::http_status_line_t status_line{
        restinio::http_status_code_t{static_cast<std::uint16_t>(status)}, ReasonPhrase(status)};
    if (response.on_stream && req->header().method() != restinio::http_method_head()) {
      OpenStream(req, status_line, request_id, response);
    } else if (req->header().method() == restinio::http_method_head()) {
      auto builder = req->create_response<restinio::user_controlled_output_t>(status_line);
      builder.set_content_length(response.body.size());
      Send(builder, request_id, std::move(response), false);
    } else {
      Send(req->create_response(status_line), request_id, std::move(response), true);
    }
    Count(req, request_id, route, status, started);
  }

  // Sends the status and headers now; the body follows through the Stream. An open stream is not
  // counted in flight (it would fill the queue limit) but in open_streams, which the drain also
  // waits for.
  void OpenStream(const restinio::request_handle_t& req,
                  const restinio::http_status_line_t& status_line, const std::string& request_id,
                  const Response& response);

  template <class Builder>
  void Send(Builder&& builder, const std::string& request_id, Response response, bool with_body) {
    builder.append_header("X-Request-Id", request_id);
    if (!response.content_type.empty()) {
      builder.append_header(restinio::http_field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) builder.append_header(name, std::move(value));
    if (draining.load()) builder.connection_close();
    if (with_body) builder.set_body(std::move(response.body));
    builder.done([this](const auto&) { in_flight.fetch_sub(1); });
  }

  void Count(const restinio::request_handle_t& req, const std::string& request_id,
             const std::string& route, int status, Clock::time_point started) {
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const auto method = std::string{req->header().method().c_str()};
    const auto& counted = MetricsFor(route, method, status);
    counted.requests->Inc();
    counted.duration->Observe(seconds);
    core::log::Request(request_id, method, req->header().path(), status, seconds * 1000);
  }

  std::string RequestIdOf(const restinio::request_handle_t& req) const {
    return core::RequestIdOrNew(req->header().get_field_or("X-Request-Id", ""));
  }

  // Answers at once on the I/O thread: only for cheap work that touches no dependency.
  restinio::request_handling_status_t Inline(const restinio::request_handle_t& req,
                                             const std::string& route,
                                             const std::string& request_id,
                                             const Response& response) {
    in_flight.fetch_add(1);
    Write(req, request_id, response, route, Clock::now());
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
    request.body = req->body();  // RESTinio answers a larger one 413 before reading it
    return request;
  }

  // Runs `handler` for `request` on a worker thread, turning exceptions into problem answers.
  static Response Run(const Handler& handler, const Request& request) {
    try {
      return handler(request);
    } catch (const Error& error) {
      if (error.errc() == Errc::kInternal || error.errc() == Errc::kUnavailable) {
        core::log::Warn("request error", {{"code", error.code()}, {"detail", error.detail()}});
      }
      return Problem(error, request.request_id);
    } catch (const std::exception& e) {
      core::log::Error("unhandled exception", {{"error", e.what()}});
    } catch (...) {
      core::log::Error("unhandled non-standard exception");
    }
    return Problem(Error{Errc::kInternal, "An unexpected error occurred."}, request.request_id);
  }

  // Runs on a worker thread.
  void Dispatch(const restinio::request_handle_t& req, const Handler& handler,
                const std::string& route,
                const std::vector<std::pair<std::string, std::string>>& params,
                Clock::time_point started) {
    const auto request_id = RequestIdOf(req);
    core::log::RequestScope scope{request_id};
    // The caller's W3C trace (a new span of it), or a new trace: every line of this request has it.
    const core::trace::Scope trace_scope{
        core::trace::ContinueOrStart(req->header().get_field_or("traceparent", ""))};
    Response response;
    const auto waited = Clock::now() - started;
    // Waited too long for a worker (its client may be gone): answered before handle_timeout.
    if (waited > config.http.queue_timeout) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
      Write(req, request_id,
            Problem(Error{Errc::kUnavailable, "The service is busy: the request waited " +
                                                  std::to_string(ms) + " ms for a worker."}
                        .WithCode("SERVICE_BUSY"),
                    request_id),
            route, started);
      return;
    }
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
      Dispatch(req, route.handler, route.path, params, started);
    });
    return restinio::request_accepted();
  }

  void TryFastPath(const restinio::request_handle_t& req, const Route& route,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   Clock::time_point started) {
    auto request_id = RequestIdOf(req);
    // The answer may be written on another thread (a cache callback): the state keeps the trace.
    auto context = core::trace::ContinueOrStart(req->header().get_field_or("traceparent", ""));
    const core::trace::Scope trace_scope{context};
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

namespace {

// A chunked response kept open. RESTinio's builder is not thread-safe: the mutex serialises its
// use; append_chunk + flush only hand the bytes to the connection's strand. Note RESTinio's
// time limits: while nothing is being written, the connection's handle_request_timeout runs, so
// the writer must write (a heartbeat) more often than HTTP_HANDLE_TIMEOUT_MS.
class ChunkedStream final : public Stream, public std::enable_shared_from_this<ChunkedStream> {
 public:
  using Builder = restinio::response_builder_t<restinio::chunked_output_t>;
  ChunkedStream(Builder builder, Runtime::Impl& impl) : builder_{std::move(builder)}, impl_{impl} {}
  ChunkedStream(const ChunkedStream&) = delete;
  ChunkedStream& operator=(const ChunkedStream&) = delete;
  ~ChunkedStream() override { Close(); }

  bool Write(std::string chunk) override {
    std::lock_guard lock{mutex_};
    if (closed_ || failed_.load()) return false;
    if (pending_.load() > kMaxPendingBytes) {
      CloseLocked();
      return false;
    }
    const auto size = chunk.size();
    pending_ += size;
    builder_.append_chunk(std::move(chunk));
    builder_.flush([weak = weak_from_this(), size](const auto& error) {
      if (const auto self = weak.lock()) {
        self->pending_ -= size;
        if (error) self->failed_ = true;  // the peer is gone: the writer drops the stream
      }
    });
    return true;
  }

  void Close() override {
    std::lock_guard lock{mutex_};
    CloseLocked();
  }

  bool open() const override {
    std::lock_guard lock{mutex_};
    return !closed_ && !failed_.load();
  }

 private:
  void CloseLocked() {
    if (closed_) return;
    closed_ = true;
    // The final chunk is in flight until written: the drain waits for it.
    impl_.in_flight.fetch_add(1);
    impl_.open_streams.fetch_sub(1);
    auto& impl = impl_;
    try {
      builder_.done([&impl](const auto&) { impl.in_flight.fetch_sub(1); });
    } catch (const std::exception&) {
      impl.in_flight.fetch_sub(1);
    }
  }

  mutable std::mutex mutex_;
  Builder builder_;
  Runtime::Impl& impl_;
  bool closed_ = false;
  std::atomic<bool> failed_{false};
  std::atomic<std::size_t> pending_{0};
};

}  // namespace

void Runtime::Impl::OpenStream(const restinio::request_handle_t& req,
                               const restinio::http_status_line_t& status_line,
                               const std::string& request_id, const Response& response) {
  auto builder = req->create_response<restinio::chunked_output_t>(status_line);
  builder.append_header("X-Request-Id", request_id);
  builder.append_header(restinio::http_field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) builder.append_header(name, value);
  builder.flush();  // the status line and headers, before the first event
  open_streams.fetch_add(1);
  in_flight.fetch_sub(1);
  auto stream = std::make_shared<ChunkedStream>(std::move(builder), *this);
  if (draining.load()) {
    stream->Close();
    return;
  }
  try {
    response.on_stream(stream);
  } catch (const std::exception& e) {
    core::log::Error("stream not opened", {{"error", e.what()}});
    stream->Close();
  }
}

// A request taken by a fast path, until it is answered.
struct Responder::State {
  State(Runtime::Impl& runtime_impl, restinio::request_handle_t handle, Request req,
        const Route& matched, Clock::time_point start, core::trace::Context context)
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
    const core::trace::Scope trace_scope{trace};
    try {
      core::log::Error("fast path dropped a request", {{"route", route.path}});
      impl.Write(
          raw, request.request_id,
          Problem(Error{Errc::kInternal, "An unexpected error occurred."}, request.request_id),
          route.path, started);
    } catch (const std::exception&) {  // nothing more can be done for this request
    }
  }

  core::trace::Context trace;
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
  const core::trace::Scope trace_scope{state_->trace};
  state_->impl.Write(state_->raw, state_->request.request_id, std::move(response),
                     state_->route.path, state_->started);
}

void Responder::Fallback() const {
  if (state_->answered.exchange(true)) return;
  asio::post(*state_->impl.workers, [state = state_] {
    core::log::RequestScope scope{state->request.request_id};
    const core::trace::Scope trace_scope{state->trace};
    state->impl.Write(state->raw, state->request.request_id,
                      Runtime::Impl::Run(state->route.handler, state->request), state->route.path,
                      state->started);
  });
}

Runtime::Runtime(const core::CommonConfig& config) : impl_{std::make_unique<Impl>(config)} {
  core::log::Init(config.service, config.log_level);
  // A peer that closed its socket must give an error on write, not kill the process (hiredis
  // writes with plain write(2)).
  std::signal(SIGPIPE, SIG_IGN);
}

Runtime::~Runtime() = default;

core::metrics::Registry& Runtime::metrics() noexcept { return impl_->registry; }

std::stop_token Runtime::stop_token() const noexcept { return impl_->stop.get_token(); }

boost::asio::io_context& Runtime::io_context() noexcept { return impl_->io; }

namespace {

// GET /ready: every check probed; 503 with Retry-After while a required one is down.
Route ReadyRoute(std::vector<ReadinessCheck> checks) {
  return {"GET", "/ready", [checks = std::move(checks)](const Request&) {
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
            auto response = Json(all_up ? 200 : 503,
                                 {{"status", all_up ? "ok" : "unavailable"}, {"checks", results}});
            if (!all_up) response.Header("Retry-After", "2");
            return response;
          }};
}

// The express router for `routes` (which must outlive it): every route, HEAD wherever GET is,
// /health and /metrics answered inline, 405 with Allow for another method on a known path, 404
// for an unknown path.
class RouterBuilder {
 public:
  explicit RouterBuilder(Runtime::Impl& impl) : impl_{impl} {}

  std::shared_ptr<Router> Build(const std::vector<Route>& routes) {
    AddInline("/health", [](Runtime::Impl&) { return Json(200, {{"status", "ok"}}); });
    AddInline("/metrics", [](Runtime::Impl& impl) {
      return Text(200, impl.registry.Render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    for (const auto& route : routes) {
      Add(route.method, route);
      if (route.method == "GET") Add("HEAD", route);
    }
    AddMethodNotAllowed();
    AddNotFound();
    return std::move(router_);
  }

 private:
  void Allow(const std::string& path, const std::string& method) {
    others_[path].add(MethodId(method));
    auto& allow = allowed_[path];
    allow += (allow.empty() ? "" : ", ") + method;
  }

  template <class Make>
  void AddInline(const std::string& path, Make make) {
    auto& impl = impl_;  // the builder is gone once the router is built
    for (const auto* method : {"GET", "HEAD"}) {
      router_->add_handler(MethodId(method), path, RouteOptions(),
                           [&impl, path, make](const auto& req, auto) {
                             return impl.Inline(req, path, impl.RequestIdOf(req), make(impl));
                           });
      Allow(path, method);
    }
  }

  void Add(const std::string& method, const Route& route) {
    auto& impl = impl_;
    router_->add_handler(
        MethodId(method), route.path, RouteOptions(),
        [&impl, &route, names = ParamNames(route.path)](const restinio::request_handle_t& req,
                                                        restinio::router::route_params_t params) {
          std::vector<std::pair<std::string, std::string>> values;
          values.reserve(names.size());
          for (const auto& name : names) values.emplace_back(name, std::string{params[name]});
          return impl.Accept(req, route, std::move(values));
        });
    Allow(route.path, method);
  }

  void AddMethodNotAllowed() {
    auto& impl = impl_;
    for (auto& [path, matcher] : others_) {
      router_->add_handler(
          std::move(matcher), path, RouteOptions(),
          [&impl, path = path, allow = allowed_[path]](const auto& req, auto) {
            const auto request_id = impl.RequestIdOf(req);
            auto response = Problem(
                Error{Errc::kMethodNotAllowed, "This resource allows " + allow + "."}, request_id);
            response.Header("Allow", allow);
            return impl.Inline(req, path, request_id, std::move(response));
          });
    }
  }

  void AddNotFound() {
    auto& impl = impl_;
    router_->non_matched_request_handler([&impl](const auto& req) {
      const auto request_id = impl.RequestIdOf(req);
      return impl.Inline(req, "unmatched", request_id,
                         Problem(Error{Errc::kNotFound, "No resource at this path."}, request_id));
    });
  }

  Runtime::Impl& impl_;
  std::shared_ptr<Router> router_ = std::make_shared<Router>();
  std::map<std::string, restinio::router::dynamic_none_of_methods_matcher_t> others_;
  std::map<std::string, std::string> allowed_;
};

// RESTinio's settings from the configuration: where to listen, the size limits (a request over
// one is answered by edge_socket.hpp) and the time limits (a connection over one is closed).
restinio::server_settings_t<Traits> ServerSettings(Runtime::Impl& impl,
                                                   std::shared_ptr<Router> router) {
  const auto& config = impl.config;
  const auto& limits = config.http;
  // http_parser's own bound on a request head (request line and headers), process-wide: one
  // server per process.
  http_parser_set_max_header_size(static_cast<std::uint32_t>(limits.max_header_bytes));
  ConfigureParseErrorAnswers(
      limits, [&impl](const ParseErrorAnswer& answer, const std::string& request_id) {
        impl.MetricsFor("unparsed", "", answer.status).requests->Inc();
        core::log::Request(request_id, "", "", answer.status, 0);
      });
  return restinio::server_settings_t<Traits>{}
      .port(static_cast<std::uint16_t>(config.port))
      .address(config.bind_address)
      .request_handler([&impl, router = std::move(router)](restinio::request_handle_t req) {
        if (req->header().http_major() != 1) {  // http_parser reads "HTTP/2.0" as a version
          const auto request_id = impl.RequestIdOf(req);
          return impl.Inline(req, "unmatched", request_id,
                             ToResponse(VersionNotSupported(), request_id));
        }
        if (!IsValidPath(req->header().path())) {
          const auto request_id = impl.RequestIdOf(req);
          return impl.Inline(
              req, "unmatched", request_id,
              Problem(Error{Errc::kBadRequest, "The request path is malformed."}, request_id));
        }
        return (*router)(std::move(req));
      })
      .read_next_http_message_timelimit(limits.read_timeout)
      .handle_request_timeout(limits.handle_timeout)
      .write_http_response_timelimit(limits.write_timeout)
      .max_pipelined_requests(16)
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                    .max_url_size(limits.max_url_bytes)
                                    .max_field_name_size(limits.max_header_bytes)
                                    .max_field_value_size(limits.max_header_bytes)
                                    .max_field_count(limits.max_headers)
                                    .max_body_size(limits.max_body_bytes));
}

// At SIGTERM or SIGINT: stop accepting, let requests in flight finish (new ones on open
// connections get 503 with Connection: close) for at most the drain timeout, then stop the I/O.
class Drainer {
 public:
  Drainer(Runtime::Impl& impl, Server& server)
      : impl_{impl}, server_{server}, signals_{impl.io, SIGINT, SIGTERM}, timer_{impl.io} {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (!ec) Begin(signal);
    });
  }

 private:
  void Begin(int signal) {
    core::log::Info("shutting down", {{"signal", signal}, {"inFlight", impl_.in_flight.load()}});
    impl_.draining = true;
    impl_.stop.request_stop();
    server_.close_async([] {}, [](const std::exception_ptr&) {});
    deadline_ = Clock::now() + impl_.config.http.drain_timeout;
    Wait();
  }

  void Wait() {
    if ((impl_.in_flight.load() == 0 && impl_.open_streams.load() == 0) ||
        Clock::now() >= deadline_) {
      if (impl_.in_flight.load() != 0)
        core::log::Warn("drain timed out", {{"inFlight", impl_.in_flight.load()}});
      impl_.io.stop();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds{5});
    timer_.async_wait([this](const auto&) { Wait(); });
  }

  Runtime::Impl& impl_;
  Server& server_;
  asio::signal_set signals_;
  asio::steady_timer timer_;
  Clock::time_point deadline_;
};

}  // namespace

int Runtime::Serve(std::vector<Route> routes, std::vector<ReadinessCheck> checks) {
  auto& impl = *impl_;
  impl.workers =
      std::make_unique<asio::thread_pool>(static_cast<std::size_t>(impl.config.worker_threads));
  routes.push_back(ReadyRoute(std::move(checks)));  // the router refers to routes: kept to the end

  Server server{restinio::external_io_context(impl.io),
                ServerSettings(impl, RouterBuilder{impl}.Build(routes))};
  Drainer drainer{impl, server};

  server.open_sync();
  core::log::Info("listening", {{"address", impl.config.bind_address},
                                {"port", impl.config.port},
                                {"ioThreads", impl.config.io_threads},
                                {"workerThreads", impl.config.worker_threads}});
  std::vector<std::thread> io_threads;
  for (int i = 1; i < impl.config.io_threads; ++i) io_threads.emplace_back([&] { impl.io.run(); });
  impl.io.run();
  for (auto& thread : io_threads) thread.join();
  impl.workers->join();
  core::log::Info("stopped");
  return 0;
}

}  // namespace comanda::http
