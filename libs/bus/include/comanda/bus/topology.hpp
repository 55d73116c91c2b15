#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "comanda/bus/connection.hpp"
#include "comanda/bus/publisher.hpp"

namespace comanda::bus {

/// A queue argument's value: RabbitMQ reads `x-queue-type` etc. as text, limits and TTLs as
/// integers.
using ArgumentValue = std::variant<std::string, std::int64_t>;
using Arguments = std::vector<std::pair<std::string, ArgumentValue>>;

/// A durable queue and its `x-` arguments (`x-queue-type`, `x-dead-letter-exchange`, ...).
struct QueueSpec {
  std::string name;
  Arguments arguments;
};

/// Routes `routing_key` on `exchange` to `queue`.
struct BindingSpec {
  std::string queue;
  std::string exchange;
  std::string routing_key;
};

/// Everything a consumer needs to exist before it consumes; declaring it twice is harmless.
struct Topology {
  std::vector<ExchangeSpec> exchanges;  // durable
  std::vector<QueueSpec> queues;        // durable
  std::vector<BindingSpec> bindings;
};

/// Declares a classic queue only this connection uses, deleted with it (exclusive, auto-delete,
/// not durable), and binds it: a per-process subscription to an exchange. Throws BrokerError.
void DeclarePrivateQueue(Connection& connection, const std::string& name,
                         const std::vector<BindingSpec>& bindings);

/// Declares the exchanges, then the queues, then the bindings, on channel 1. Throws BrokerError,
/// e.g. when a queue exists with other arguments (PRECONDITION_FAILED closes the channel).
void Declare(Connection& connection, const Topology& topology);

}  // namespace comanda::bus
