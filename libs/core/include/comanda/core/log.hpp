#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

/// JSON-lines logging: one object per line on stdout with ts, level, service, msg, requestId (null
/// outside a request).
namespace comanda::core::log {

enum class Level { kDebug, kInfo, kWarn, kError };

/// Sets the service name and the minimum level (`debug`, `info`, `warn`, `error`).
void Init(std::string service, std::string_view level);

void Write(Level level, std::string_view msg, const nlohmann::json& fields = {});
inline void Debug(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kDebug, msg, fields);
}
inline void Info(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, const nlohmann::json& fields = {}) {
  Write(Level::kError, msg, fields);
}

/// What the service exists to print (the notification's 📩 line): an `info` line written whatever
/// the minimum level, because LOG_LEVEL selects diagnostics, not the service's output.
void Output(std::string_view msg, const nlohmann::json& fields = {});

/// The line of one served HTTP request (`msg` "request", at warn as "request failed" for a 5xx),
/// formatted directly rather than through a JSON object: it is written for every request.
void Request(std::string_view request_id, std::string_view method, std::string_view path,
             int status, double duration_ms);

/// Formats the line Request() writes (no newline); exposed for tests.
std::string FormatRequestLine(std::string_view ts, std::string_view service,
                              std::string_view request_id, std::string_view method,
                              std::string_view path, int status, double duration_ms);

/// Formats one log line (no newline); exposed for tests.
std::string FormatLine(std::string_view ts, Level level, std::string_view service,
                       std::string_view msg, std::string_view request_id,
                       const nlohmann::json& fields);

/// Makes `request_id` the current thread's request id for log lines while it lives.
class RequestScope {
 public:
  explicit RequestScope(std::string request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

/// The current thread's request id, empty outside a request.
const std::string& CurrentRequestId();

}  // namespace comanda::core::log
