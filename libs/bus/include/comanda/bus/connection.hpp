#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "comanda/bus/url.hpp"

struct amqp_connection_state_t_;  // rabbitmq-c's connection; its headers stay out of ours

namespace comanda::bus {

/// Any broker failure: unreachable, refused login, closed channel, nack, return, timeout.
class BrokerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConnectOptions {
  /// Every node of the broker (one for a single broker). A connection tries them in turn, starting
  /// with the node this process last connected to, so a lost node costs one failed attempt.
  std::vector<AmqpUrl> urls;
  std::chrono::milliseconds timeout{5000};  // TCP connect, login and every RPC, per node
  std::string connection_name;              // shown by the broker's management tools
};

/// One AMQP connection with channel 1 open, to the first node of `urls` that accepts it, shared by
/// the publisher and (later) the consumer. Not thread-safe: one per thread. Throws BrokerError;
/// after any error the owner drops it.
class Connection {
 public:
  static constexpr std::uint16_t kChannel = 1;

  explicit Connection(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t_* state() const noexcept { return state_; }
  const ConnectOptions& options() const noexcept { return options_; }
  /// The node this connection reached.
  const AmqpUrl& node() const noexcept { return options_.urls[node_]; }

  /// Declares an exchange (idempotent when the arguments match the existing one).
  void DeclareExchange(const std::string& name, const std::string& type, bool durable);
  /// Puts channel 1 in publisher-confirm mode.
  void SelectConfirms();

  /// Marks the connection unusable: the destructor then skips the polite close handshake,
  /// which could wait for a dead broker.
  void MarkBroken() noexcept { broken_ = true; }

  /// Throws BrokerError unless the last RPC reply was normal; marks the connection broken.
  void CheckReply(std::string_view what);

 private:
  void Open(const AmqpUrl& url);
  void Close() noexcept;

  ConnectOptions options_;
  std::size_t node_ = 0;
  amqp_connection_state_t_* state_ = nullptr;
  bool channel_open_ = false;
  bool broken_ = false;
};

}  // namespace comanda::bus
