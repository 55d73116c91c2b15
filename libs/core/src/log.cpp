#include "comanda/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <utility>

#include "comanda/core/time.hpp"

namespace comanda::log {
namespace {

thread_local std::string current_request_id;

struct State {
  std::string service = "comanda";
  std::shared_ptr<spdlog::logger> logger;
};

State& GlobalState() {
  static State state = [] {
    State s;
    s.logger = std::make_shared<spdlog::logger>("comanda",
                                                std::make_shared<spdlog::sinks::stdout_sink_mt>());
    s.logger->set_pattern("%v");
    s.logger->flush_on(spdlog::level::trace);  // one line at a time: logs are read live by tests
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

std::string FormatLine(std::string_view ts, Level level, std::string_view service,
                       std::string_view msg, std::string_view request_id,
                       const nlohmann::json& fields) {
  nlohmann::ordered_json line;
  line["ts"] = ts;
  line["level"] = Name(level);
  line["service"] = service;
  line["msg"] = msg;
  if (!request_id.empty()) line["requestId"] = request_id;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // Invalid UTF-8 from a client (a header, a path) is replaced rather than thrown on.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Write(Level level, std::string_view msg, const nlohmann::json& fields) {
  auto& state = GlobalState();
  if (!state.logger->should_log(ToSpd(level))) return;
  state.logger->log(ToSpd(level), FormatLine(core::NowRfc3339(), level, state.service, msg,
                                             current_request_id, fields));
}

RequestScope::RequestScope(std::string request_id)
    : previous_{std::exchange(current_request_id, std::move(request_id))} {}

RequestScope::~RequestScope() { current_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return current_request_id; }

}  // namespace comanda::log
