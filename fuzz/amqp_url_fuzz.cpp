// AMQP URLs: parse or nullopt; a parsed URL's log form has no `user:password@`.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "comanda/bus/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto url = comanda::bus::ParseAmqpUrl(text);
  if (url) {
    if (url->port < 0 || url->port > 65535) std::abort();
    const auto credentials = ":" + url->password + "@";
    if (!url->password.empty() && url->Redacted().find(credentials) != std::string::npos &&
        url->vhost.find(credentials) == std::string::npos &&
        url->host.find(credentials) == std::string::npos) {
      std::abort();  // the credentials leaked into the log form
    }
  }
  (void)comanda::bus::PercentDecode(text);
  return 0;
}
