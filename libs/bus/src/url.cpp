#include "comanda/bus/url.hpp"

#include <charconv>

namespace comanda::bus {
namespace {

int HexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string AmqpUrl::Redacted() const {
  return host + ":" + std::to_string(port) + "/" + (vhost == "/" ? "%2f" : vhost);
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::optional<AmqpUrl> ParseAmqpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "amqp://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  if (url.find_first_of("?#") != std::string_view::npos) return std::nullopt;

  AmqpUrl out;
  const auto slash = url.find('/');
  const auto authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto path = url.substr(slash + 1);
    if (path.find('/') != std::string_view::npos) return std::nullopt;  // `%2f` is the way
    auto vhost = PercentDecode(path);
    if (!vhost) return std::nullopt;
    out.vhost = std::move(*vhost);
  }

  auto host_port = authority;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = authority.substr(0, at);
    host_port = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon));
    if (!user) return std::nullopt;
    out.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1));
      if (!password) return std::nullopt;
      out.password = std::move(*password);
    }
  }

  std::string_view host = host_port;
  std::string_view port;
  if (host_port.substr(0, 1) == "[") {  // [IPv6]:port
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = host_port.substr(1, close - 1);
    const auto rest = host_port.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (const auto colon = host_port.rfind(':'); colon != std::string_view::npos) {
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
  }
  if (!host.empty()) {
    auto decoded = PercentDecode(host);
    if (!decoded) return std::nullopt;
    out.host = std::move(*decoded);
  }
  if (!port.empty()) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || ptr != port.data() + port.size() || value < 1 || value > 65535) {
      return std::nullopt;
    }
    out.port = value;
  } else if (host_port.ends_with(":")) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<AmqpUrl>> ParseAmqpUrls(std::string_view urls) {
  std::vector<AmqpUrl> out;
  while (true) {
    const auto comma = urls.find(',');
    const auto entry = urls.substr(0, comma);
    if (entry.empty()) return std::nullopt;
    auto url = ParseAmqpUrl(entry);
    if (!url) return std::nullopt;
    out.push_back(std::move(*url));
    if (comma == std::string_view::npos) return out;
    urls.remove_prefix(comma + 1);
  }
}

std::string Redacted(const std::vector<AmqpUrl>& urls) {
  std::string out;
  for (const auto& url : urls) {
    // Appended in two steps: GCC 12 at -O3 reports a false -Wrestrict on `"," + string&&`.
    if (!out.empty()) out += ',';
    out += url.Redacted();
  }
  return out;
}

}  // namespace comanda::bus
