// The configuration table on arbitrary NAME=VALUE lines: problems are collected, never thrown.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "comanda/core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace comanda::core;
  std::map<std::string, std::string> env;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  while (!text.empty()) {
    const auto line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    const auto eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string{line.substr(0, eq)}] = line.substr(eq + 1);
  }
  ConfigReader reader{MapEnv(env)};
  ReadCommonConfig(reader, "fuzz-service", 3000);
  reader.Url("DATABASE_URL", "postgresql://u:p@localhost/db", {"postgresql", "postgres"}, "");
  reader.Url("AMQP_URL", "amqp://localhost", {"amqp"}, "");
  reader.Millis("HTTP_TIMEOUT_MS", 2000, 1, 60000, "");
  reader.OneOf("MODE", "a", {"a", "b"}, "");
  (void)reader.HelpText("fuzz", "summary");
  return 0;
}
