#include "comanda/core/config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <thread>
#include <utility>

namespace comanda::core {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read at start
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string{value};
  };
}

EnvLookup MapEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

ConfigReader::ConfigReader(EnvLookup env) : env_{std::move(env)} {}

std::optional<std::string> ConfigReader::Read(const std::string& name, std::string fallback,
                                              std::string help) {
  variables_.push_back({name, std::move(fallback), std::move(help)});
  return env_(name);
}

std::string ConfigReader::String(const std::string& name, const std::string& fallback,
                                 std::string help) {
  return Read(name, fallback, std::move(help)).value_or(fallback);
}

std::optional<std::string> ConfigReader::Optional(const std::string& name, std::string help) {
  return Read(name, "", std::move(help));
}

int ConfigReader::Int(const std::string& name, int fallback, int min, int max, std::string help) {
  const auto raw = Read(name, std::to_string(fallback), std::move(help));
  if (!raw) return fallback;
  int value = 0;
  const auto* end = raw->data() + raw->size();
  const auto [ptr, ec] = std::from_chars(raw->data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    Fail(name, "must be an integer, got '" + *raw + "'");
    return fallback;
  }
  if (value < min || value > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   *raw);
    return fallback;
  }
  return value;
}

std::chrono::milliseconds ConfigReader::Millis(const std::string& name, int fallback, int min,
                                               int max, std::string help) {
  return std::chrono::milliseconds{Int(name, fallback, min, max, std::move(help))};
}

std::string ConfigReader::OneOf(const std::string& name, const std::string& fallback,
                                std::initializer_list<std::string_view> allowed, std::string help) {
  const auto raw = Read(name, fallback, std::move(help));
  if (!raw) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *raw) != allowed.end()) return *raw;
  std::string list;
  for (const auto value : allowed) list += (list.empty() ? "" : ", ") + std::string{value};
  Fail(name, "must be one of " + list + ", got '" + *raw + "'");
  return fallback;
}

std::string ConfigReader::Url(const std::string& name, const std::string& fallback,
                              std::initializer_list<std::string_view> schemes, std::string help) {
  const auto raw = Read(name, fallback, std::move(help));
  if (!raw) return fallback;
  const auto sep = raw->find("://");
  const bool scheme_ok =
      sep != std::string::npos && std::find(schemes.begin(), schemes.end(),
                                            std::string_view{*raw}.substr(0, sep)) != schemes.end();
  const bool has_host = sep != std::string::npos && raw->size() > sep + 3 &&
                        raw->find_first_of("/?#", sep + 3) != sep + 3;
  const bool clean = std::none_of(raw->begin(), raw->end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  if (!scheme_ok || !has_host || !clean) {
    std::string list;
    for (const auto scheme : schemes) list += (list.empty() ? "" : " or ") + std::string{scheme};
    Fail(name, "must be a " + list + ":// URL with a host");
    return fallback;
  }
  return *raw;
}

void ConfigReader::Fail(const std::string& name, const std::string& message) {
  problems_.push_back(name + ": " + message);
}

std::string ConfigReader::HelpText(std::string_view program, std::string_view summary) const {
  std::ostringstream out;
  out << "usage: " << program << "\n\n"
      << summary << "\n\nConfigured only by environment variables:\n";
  std::size_t width = 0;
  for (const auto& var : variables_) width = std::max(width, var.name.size());
  for (const auto& var : variables_) {
    out << "  " << var.name << std::string(width - var.name.size() + 2, ' ') << var.help;
    if (!var.fallback.empty()) out << " [" << var.fallback << "]";
    out << '\n';
  }
  return out.str();
}

bool IsIpLiteral(const std::string& address) {
  in6_addr v6{};
  in_addr v4{};
  return inet_pton(AF_INET, address.c_str(), &v4) == 1 ||
         inet_pton(AF_INET6, address.c_str(), &v6) == 1;
}

namespace {

HttpLimits ReadHttpLimits(ConfigReader& reader) {
  HttpLimits limits;
  const auto size = [&reader](const char* name, std::size_t fallback, int min, int max,
                              const char* help) {
    return static_cast<std::size_t>(reader.Int(name, static_cast<int>(fallback), min, max, help));
  };
  limits.max_url_bytes = size("HTTP_MAX_URL_BYTES", limits.max_url_bytes, 256, 1024 * 1024,
                              "longest request target (path and query); longer: 414");
  limits.max_header_bytes = size("HTTP_MAX_HEADER_BYTES", limits.max_header_bytes, 1024,
                                 1024 * 1024, "largest request head (all header lines); more: 431");
  limits.max_headers =
      size("HTTP_MAX_HEADERS", limits.max_headers, 8, 10000, "most header fields; more: 431");
  limits.max_body_bytes = size("HTTP_MAX_BODY_BYTES", limits.max_body_bytes, 1024, 64 * 1024 * 1024,
                               "largest request body; larger: 413, not read");
  limits.read_timeout = reader.Millis(
      "HTTP_READ_TIMEOUT_MS", 35'000, 100, 3'600'000,
      "idle keep-alive time plus reading a whole request (headers and body); then closed");
  limits.handle_timeout = reader.Millis("HTTP_HANDLE_TIMEOUT_MS", 30'000, 100, 3'600'000,
                                        "a request's handling until its answer starts");
  limits.queue_timeout =
      reader.Millis("HTTP_QUEUE_TIMEOUT_MS", 10'000, 10, 3'600'000,
                    "the longest a request waits for a worker; then 503 SERVICE_BUSY, not handled");
  if (limits.queue_timeout >= limits.handle_timeout) {
    reader.Fail("HTTP_QUEUE_TIMEOUT_MS", "must be below HTTP_HANDLE_TIMEOUT_MS (" +
                                             std::to_string(limits.handle_timeout.count()) +
                                             " ms), or a queued request is cut off unanswered");
  }
  limits.write_timeout = reader.Millis("HTTP_WRITE_TIMEOUT_MS", 10'000, 100, 3'600'000,
                                       "writing one response to the client");
  limits.drain_timeout = reader.Millis("DRAIN_TIMEOUT_MS", 10'000, 0, 3'600'000,
                                       "at SIGTERM, the longest wait for requests in flight");
  return limits;
}

}  // namespace

CommonConfig ReadCommonConfig(ConfigReader& reader, std::string service, int default_port) {
  CommonConfig config;
  config.service = std::move(service);
  config.bind_address =
      reader.String("BIND_ADDRESS", config.bind_address,
                    "address to listen on (IPv4 or IPv6 literal; 0.0.0.0: every interface)");
  if (!IsIpLiteral(config.bind_address)) {
    reader.Fail("BIND_ADDRESS", "must be an IPv4 or IPv6 address such as 127.0.0.1 or ::, got '" +
                                    config.bind_address + "'");
  }
  config.port = reader.Int("PORT", default_port, 0, 65535, "listen port (0: any free port)");
  config.log_level =
      reader.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"}, "log level");
  config.io_threads = reader.Int("IO_THREADS", 1, 1, 64, "threads that do network I/O");
  config.worker_threads =
      reader.Int("WORKER_THREADS", 4, 1, 256, "threads that run handlers (blocking work)");
  config.max_queued_requests = reader.Int("MAX_QUEUED_REQUESTS", 1024, 1, 1000000,
                                          "requests waiting for a worker before 503");
  config.http = ReadHttpLimits(reader);
  return config;
}

}  // namespace comanda::core
