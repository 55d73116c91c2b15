#include "comanda/core/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "comanda/core/time.hpp"
#include "comanda/core/trace.hpp"

namespace comanda::core::log {
namespace {

thread_local std::string current_request_id;

// Stdout, written by a thread of its own: a request thread only appends its line to a buffer, and
// the writer hands what gathered in 2 ms to one write(2), so that under load many lines share a
// syscall and a wake-up (a write per line was a tenth of a cache hit's cost). A line is out within
// about 2 ms; lines still buffered are written when the process exits normally (not on SIGKILL).
class BatchingStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BatchingStdoutSink() : writer_{[this] { Run(); }} {}
  ~BatchingStdoutSink() override {
    {
      std::lock_guard lock{buffer_mutex_};
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  BatchingStdoutSink(const BatchingStdoutSink&) = delete;
  BatchingStdoutSink& operator=(const BatchingStdoutSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    bool wake = false;
    {
      std::lock_guard lock{buffer_mutex_};
      buffer_.append(formatted.data(), formatted.size());
      wake = std::exchange(idle_, false);
    }
    if (wake) wake_.notify_one();  // once per burst: a busy writer comes back by itself
  }
  void flush_() override {}

 private:
  // How long the writer lets lines gather after the first one of a burst.
  static constexpr std::chrono::milliseconds kGather{2};

  void Run() {
    std::string batch;
    std::unique_lock lock{buffer_mutex_};
    for (;;) {
      if (buffer_.empty()) {
        if (stopping_) return;
        idle_ = true;
        wake_.wait(lock, [this] { return stopping_ || !buffer_.empty(); });
        if (!stopping_) {
          lock.unlock();
          std::this_thread::sleep_for(kGather);
          lock.lock();
        }
        continue;
      }
      batch.swap(buffer_);
      lock.unlock();
      WriteAll(batch);
      batch.clear();
      std::this_thread::sleep_for(kGather);
      lock.lock();
    }
  }

  static void WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto written = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return;  // stdout is gone: nothing better to do with logs
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
  }

  std::mutex buffer_mutex_;
  std::condition_variable wake_;
  std::string buffer_;
  bool stopping_ = false;
  bool idle_ = false;   // the writer waits for a line (rather than gathering or writing)
  std::thread writer_;  // last: starts once the members above exist
};

struct State {
  std::string service = "comanda";
  std::shared_ptr<spdlog::logger> logger;
};

State& GlobalState() {
  static State state = [] {
    State s;
    s.logger = std::make_shared<spdlog::logger>("comanda", std::make_shared<BatchingStdoutSink>());
    s.logger->set_pattern("%v");
    return s;
  }();
  return state;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view Name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Init(std::string service, std::string_view level) {
  auto& state = GlobalState();
  state.service = std::move(service);
  Level parsed = Level::kInfo;
  if (level == "debug") parsed = Level::kDebug;
  if (level == "warn") parsed = Level::kWarn;
  if (level == "error") parsed = Level::kError;
  state.logger->set_level(ToSpd(parsed));
}

namespace {

using nlohmann::json;
constexpr auto kReplace = json::error_handler_t::replace;

// Invalid UTF-8 from a client (a header, a path) is replaced rather than thrown on.
void AppendValue(std::string& out, const json& value) {
  out += value.dump(-1, ' ', false, kReplace);
}

// Plain printable ASCII (what request ids, methods, messages and nearly every path are) is copied
// as it is; anything else goes through the JSON serializer (escapes, invalid UTF-8 replaced).
void AppendString(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) return AppendValue(out, json(text));
  out += '"';
  out += text;
  out += '"';
}

void AppendKey(std::string& out, std::string_view key) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += key;  // only our own, plain ASCII keys come here
  out += "\":";
}

}  // namespace

// Built by appending rather than through a JSON object: this runs for every request.
std::string FormatLine(std::string_view ts, Level level, std::string_view service,
                       std::string_view msg, std::string_view request_id,
                       const nlohmann::json& fields) {
  const auto& trace_id = core::trace::CurrentTraceId();
  const bool has_fields = fields.is_object() && !fields.empty();
  std::string line;
  line.reserve(256);
  line += '{';
  // A field named like one of these replaces it, in its place.
  auto fixed = [&](std::string_view key, std::string_view value) {
    if (has_fields) {
      if (const auto it = fields.find(key); it != fields.end()) {
        AppendKey(line, key);
        AppendValue(line, *it);
        return;
      }
    }
    AppendKey(line, key);
    AppendString(line, value);
  };
  fixed("ts", ts);
  fixed("level", Name(level));
  fixed("service", service);
  fixed("msg", msg);
  // Every line has a requestId (the contract's fields); null outside a request.
  if (request_id.empty() && !(has_fields && fields.contains("requestId"))) {
    AppendKey(line, "requestId");
    line += "null";
  } else {
    fixed("requestId", request_id);
  }
  // And a traceId (W3C trace context), null outside a traced request or event.
  if (trace_id.empty() && !(has_fields && fields.contains("traceId"))) {
    AppendKey(line, "traceId");
    line += "null";
  } else {
    fixed("traceId", trace_id);
  }
  if (has_fields) {
    for (const auto& [key, value] : fields.items()) {
      if (key == "ts" || key == "level" || key == "service" || key == "msg" || key == "requestId" ||
          key == "traceId")
        continue;
      line += ',';
      AppendString(line, key);
      line += ':';
      AppendValue(line, value);
    }
  }
  line += '}';
  return line;
}

namespace {

template <class Number>
void AppendNumber(std::string& out, Number value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

}  // namespace

std::string FormatRequestLine(std::string_view ts, std::string_view service,
                              std::string_view request_id, std::string_view method,
                              std::string_view path, int status, double duration_ms) {
  const auto& trace_id = core::trace::CurrentTraceId();
  std::string line;
  line.reserve(192 + path.size());
  line += "{\"ts\":";
  AppendString(line, ts);
  line += status >= 500 ? ",\"level\":\"warn\",\"service\":" : ",\"level\":\"info\",\"service\":";
  AppendString(line, service);
  line += status >= 500 ? ",\"msg\":\"request failed\"" : ",\"msg\":\"request\"";
  line += ",\"requestId\":";
  if (request_id.empty()) {
    line += "null";
  } else {
    AppendString(line, request_id);
  }
  line += ",\"traceId\":";
  if (trace_id.empty()) {
    line += "null";
  } else {
    AppendString(line, trace_id);
  }
  line += ",\"method\":";
  AppendString(line, method);
  line += ",\"path\":";
  AppendString(line, path);
  line += ",\"status\":";
  AppendNumber(line, status);
  line += ",\"durationMs\":";
  AppendNumber(line, std::round(duration_ms * 1000) / 1000);  // microseconds are enough
  line += '}';
  return line;
}

void Request(std::string_view request_id, std::string_view method, std::string_view path,
             int status, double duration_ms) {
  auto& state = GlobalState();
  const auto level = status >= 500 ? Level::kWarn : Level::kInfo;
  if (!state.logger->should_log(ToSpd(level))) return;
  state.logger->log(ToSpd(level), FormatRequestLine(core::NowRfc3339(), state.service, request_id,
                                                    method, path, status, duration_ms));
}

void Write(Level level, std::string_view msg, const nlohmann::json& fields) {
  auto& state = GlobalState();
  if (!state.logger->should_log(ToSpd(level))) return;
  state.logger->log(ToSpd(level), FormatLine(core::NowRfc3339(), level, state.service, msg,
                                             current_request_id, fields));
}

void Output(std::string_view msg, const nlohmann::json& fields) {
  auto& state = GlobalState();
  // Handed to spdlog at its highest level, which no minimum filters out; the line says info.
  state.logger->log(
      spdlog::level::critical,
      FormatLine(core::NowRfc3339(), Level::kInfo, state.service, msg, current_request_id, fields));
}

RequestScope::RequestScope(std::string request_id)
    : previous_{std::exchange(current_request_id, std::move(request_id))} {}

RequestScope::~RequestScope() { current_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return current_request_id; }

}  // namespace comanda::core::log
