#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comanda/bus/connection.hpp"

namespace comanda::bus {

/// The properties of a received message that consumers look at. Header values of scalar kinds
/// are given as text (integers in decimal, booleans as `true`/`false`); tables and arrays such as
/// RabbitMQ's `x-death` are left out.
struct DeliveryProperties {
  std::string message_id;
  std::string type;
  std::string content_type;
  std::string correlation_id;
  std::optional<std::int64_t> timestamp;
  std::vector<std::pair<std::string, std::string>> headers;

  /// A header's value, nullopt when absent (names compared exactly).
  std::optional<std::string> Header(std::string_view name) const;
};

/// One message taken from a queue; it stays unacknowledged until Ack() or Reject().
struct Delivery {
  std::uint64_t delivery_tag = 0;
  bool redelivered = false;
  std::string exchange;
  std::string routing_key;
  std::string body;
  DeliveryProperties properties;
};

struct ConsumerOptions {
  ConnectOptions connect;
  std::string queue;
  std::uint16_t prefetch = 20;
  /// Runs on every (re)connect before consuming: declare the topology here.
  std::function<void(Connection&)> on_connect;
};

/// Consumes one queue with manual acks and a prefetch window, on a connection of its own.
/// Next() waits at most a given time, so a loop can watch a stop token between calls. Every
/// broker problem throws BrokerError and drops the connection; the next Connect() starts over,
/// and the broker hands the unacknowledged messages out again (redelivered). Not thread-safe.
class Consumer {
 public:
  explicit Consumer(ConsumerOptions options);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Connects, runs `on_connect`, sets the prefetch and starts consuming (throws BrokerError).
  void Connect();
  bool connected() const noexcept { return connection_ != nullptr; }
  /// `host:port/vhost` of the node it is connected to, "" when not connected.
  std::string node() const { return connection_ ? connection_->node().Redacted() : ""; }
  /// Closes the connection; unacknowledged messages go back to the queue.
  void Disconnect() noexcept;

  /// The next message, or nullopt when none arrived within `timeout`.
  std::optional<Delivery> Next(std::chrono::milliseconds timeout);
  void Ack(std::uint64_t delivery_tag);
  /// Rejects one message: back to the queue, or (requeue false) dead-lettered or dropped.
  void Reject(std::uint64_t delivery_tag, bool requeue);

 private:
  [[noreturn]] void Fail(const std::string& what);

  ConsumerOptions options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace comanda::bus
