#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace comanda::bus {

/// The parts of an `amqp://user:pass@host:port/vhost` URL, percent-decoded.
struct AmqpUrl {
  std::string host = "localhost";
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";

  /// `host:port/vhost` without credentials, for logs.
  std::string Redacted() const;
  bool operator==(const AmqpUrl&) const = default;
};

/// Parses an AMQP 0-9-1 URI (RabbitMQ's URI spec): missing parts take the defaults above, an
/// absent path means vhost `/`, `%2f` decodes to `/`. nullopt for another scheme, a bad port, a
/// bad escape, or more than one path segment.
std::optional<AmqpUrl> ParseAmqpUrl(std::string_view url);

/// A comma-separated list of AMQP URIs, one per node of a RabbitMQ cluster (a single URI is a list
/// of one). nullopt when any entry does not parse or one is empty.
std::optional<std::vector<AmqpUrl>> ParseAmqpUrls(std::string_view urls);

/// `host:port/vhost` of every node, comma-separated, for logs.
std::string Redacted(const std::vector<AmqpUrl>& urls);

/// Decodes `%XX` escapes; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace comanda::bus
