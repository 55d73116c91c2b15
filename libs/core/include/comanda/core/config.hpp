#pragma once

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace comanda::core {

/// Looks a variable up; an empty value counts as unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment.
EnvLookup ProcessEnv();
/// A fixed map, for tests.
EnvLookup MapEnv(std::map<std::string, std::string> values);

/// Reads typed variables from an environment. Every read records the variable for `--help`, and
/// every problem is collected (not thrown) so that all of them can be reported at once.
class ConfigReader {
 public:
  explicit ConfigReader(EnvLookup env);

  std::string String(const std::string& name, const std::string& fallback, std::string help);
  /// A variable without a default: nullopt when unset.
  std::optional<std::string> Optional(const std::string& name, std::string help);
  int Int(const std::string& name, int fallback, int min, int max, std::string help);
  std::chrono::milliseconds Millis(const std::string& name, int fallback, int min, int max,
                                   std::string help);
  /// One of a fixed set of values (compared exactly).
  std::string OneOf(const std::string& name, const std::string& fallback,
                    std::initializer_list<std::string_view> allowed, std::string help);
  /// A URL whose scheme is one of `schemes` (`postgresql`, `http`, ...), with a host.
  std::string Url(const std::string& name, const std::string& fallback,
                  std::initializer_list<std::string_view> schemes, std::string help);

  /// Records a problem found by the caller, e.g. one that involves two variables.
  void Fail(const std::string& name, const std::string& message);

  const std::vector<std::string>& Problems() const noexcept { return problems_; }
  /// The `--help` text: one line per variable read so far, with its default.
  std::string HelpText(std::string_view program, std::string_view summary) const;

 private:
  struct Variable {
    std::string name;
    std::string fallback;
    std::string help;
  };
  std::optional<std::string> Read(const std::string& name, std::string fallback, std::string help);

  EnvLookup env_;
  std::vector<Variable> variables_;
  std::vector<std::string> problems_;
};

/// What the HTTP server accepts and for how long it waits (docs/operations.md, "HTTP limits").
/// A request over a size limit is answered 414, 431 or 413 and the connection closed.
struct HttpLimits {
  std::size_t max_url_bytes = 8 * 1024;
  std::size_t max_header_bytes = 16 * 1024;  // all header lines together, and any one of them
  std::size_t max_headers = 100;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_connections = 1024;
  /// From the end of a response (or the accept) until the next request is read whole: idle time,
  /// headers and body together (RESTinio 0.6 has one timer for the three).
  std::chrono::milliseconds read_timeout{35'000};
  /// From a request read whole until its answer starts (a streaming route opts out: Route).
  std::chrono::milliseconds handle_timeout{30'000};
  /// The longest a request waits for a worker: past it, the request is answered 503 SERVICE_BUSY
  /// instead of being handled (below handle_timeout, so that a burst is answered, not cut off).
  std::chrono::milliseconds queue_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  /// At SIGTERM: how long requests in flight may take before the process exits anyway.
  std::chrono::milliseconds drain_timeout{10'000};
};

/// Settings every service shares.
struct CommonConfig {
  std::string service;
  std::string bind_address = "127.0.0.1";
  int port = 0;
  std::string log_level;
  int io_threads = 1;
  int worker_threads = 4;
  int max_queued_requests = 1024;
  HttpLimits http;
};

/// True for a literal IPv4 or IPv6 address (no host names: the listener binds before any lookup).
bool IsIpLiteral(const std::string& address);

/// Reads BIND_ADDRESS, PORT, LOG_LEVEL, IO_THREADS, WORKER_THREADS, MAX_QUEUED_REQUESTS and the
/// HTTP_* limits.
CommonConfig ReadCommonConfig(ConfigReader& reader, std::string service, int default_port);

/// Runs `load` against the process environment. With `--help` prints the variables and exits 0;
/// with any problem prints each one by name on stderr and exits 2.
template <class Config>
Config LoadConfigOrExit(int argc, char* argv[], std::string_view summary,
                        const std::function<Config(ConfigReader&)>& load) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg{argv[i]};
    if (arg == "--help" || arg == "-h") {
      ConfigReader defaults{MapEnv({})};
      load(defaults);
      std::cout << defaults.HelpText(argv[0], summary);
      std::exit(0);
    }
    std::cerr << argv[0] << ": unknown argument '" << arg << "' (configuration is by environment; "
              << "see --help)\n";
    std::exit(2);
  }
  ConfigReader reader{ProcessEnv()};
  Config config = load(reader);
  if (!reader.Problems().empty()) {
    for (const auto& problem : reader.Problems()) std::cerr << "config error: " << problem << '\n';
    std::exit(2);
  }
  return config;
}

}  // namespace comanda::core
