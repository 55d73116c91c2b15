#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "comanda/bus/connection.hpp"

namespace comanda::bus {

/// The AMQP properties we set on a message.
struct MessageProperties {
  std::string message_id;
  std::string type;
  std::string content_type = "application/json";
  /// Sent as the `x-correlation-id` header and as the `correlation_id` property; empty: neither.
  std::string correlation_id;
  bool persistent = true;
  std::optional<std::int64_t> timestamp;  // seconds since the epoch
  /// Per-message TTL in milliseconds, as decimal text (RabbitMQ's `expiration`); empty: none.
  std::string expiration;
  std::vector<std::pair<std::string, std::string>> headers;  // extra string headers
};

struct Message {
  std::string exchange;
  std::string routing_key;
  std::string body;
  MessageProperties properties;
};

struct ExchangeSpec {
  std::string name;
  std::string type = "topic";  // always durable
};

struct PublisherOptions {
  ConnectOptions connect;
  std::vector<ExchangeSpec> exchanges;              // declared on every (re)connect
  std::chrono::milliseconds confirm_timeout{5000};  // wait for the broker's ack
};

/// What a relay needs of a confirming publisher (a fake in unit tests).
class BatchPublisher {
 public:
  virtual ~BatchPublisher() = default;
  /// Returns once the broker acked every message; throws BrokerError otherwise.
  virtual void PublishAll(const std::vector<Message>& messages) = 0;
  /// Connects now if not connected (throws BrokerError).
  virtual void EnsureConnected() = 0;
  virtual bool connected() const noexcept = 0;
};

/// Publishes with publisher confirms and `mandatory`: Publish() returns only once the broker has
/// acked the message, and throws BrokerError on a nack, a return (no queue bound), a timeout or a
/// connection problem. Connects lazily and reconnects on the next call after any error. Not
/// thread-safe: one Publisher per thread.
class Publisher final : public BatchPublisher {
 public:
  explicit Publisher(PublisherOptions options);
  ~Publisher() override;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void Publish(const Message& message);
  /// Publishes every message back to back, then waits once for all their confirms (one round
  /// trip for the batch instead of one per message). Returns when every one was acked; throws
  /// BrokerError when any was nacked or returned, on a timeout or a connection problem, and then
  /// none of them counts as confirmed (some may have been delivered: at least once).
  void PublishAll(const std::vector<Message>& messages) override;
  void EnsureConnected() override;
  bool connected() const noexcept override { return connection_ != nullptr; }
  /// Drops the connection (the next Publish reconnects).
  void Disconnect() noexcept;

 private:
  void Send(const Message& message);
  void WaitForConfirms(std::uint64_t first, std::uint64_t last);

  PublisherOptions options_;
  std::unique_ptr<Connection> connection_;
  std::uint64_t next_tag_ = 1;  // confirm delivery tags count from 1 per channel
};

}  // namespace comanda::bus
