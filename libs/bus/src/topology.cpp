#include "comanda/bus/topology.hpp"

#include <amqp.h>

#include "arguments.hpp"

namespace comanda::bus {
namespace {

amqp_bytes_t Bytes(const std::string& text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // rabbitmq-c never writes
}

}  // namespace

ArgumentTable::ArgumentTable(Arguments arguments) : arguments_{std::move(arguments)} {
  entries_.reserve(arguments_.size());
  for (const auto& [key, value] : arguments_) {
    amqp_table_entry_t entry{};
    entry.key = Bytes(key);
    if (const auto* text = std::get_if<std::string>(&value)) {
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = Bytes(*text);
    } else {
      entry.value.kind = AMQP_FIELD_KIND_I64;
      entry.value.value.i64 = std::get<std::int64_t>(value);
    }
    entries_.push_back(entry);
  }
}

amqp_table_t ArgumentTable::get() const noexcept {
  if (entries_.empty()) return amqp_empty_table;
  return amqp_table_t{static_cast<int>(entries_.size()),
                      const_cast<amqp_table_entry_t*>(entries_.data())};
}

void DeclarePrivateQueue(Connection& connection, const std::string& name,
                         const std::vector<BindingSpec>& bindings) {
  // Classic: a quorum queue (the cluster's default type elsewhere) cannot be exclusive.
  const ArgumentTable arguments{{{"x-queue-type", std::string{"classic"}}}};
  amqp_queue_declare(connection.state(), Connection::kChannel, Bytes(name), /*passive=*/0,
                     /*durable=*/0, /*exclusive=*/1, /*auto_delete=*/1, arguments.get());
  connection.CheckReply("queue.declare " + name);
  for (const auto& binding : bindings) {
    amqp_queue_bind(connection.state(), Connection::kChannel, Bytes(name), Bytes(binding.exchange),
                    Bytes(binding.routing_key), amqp_empty_table);
    connection.CheckReply("queue.bind " + name);
  }
}

void Declare(Connection& connection, const Topology& topology) {
  auto* state = connection.state();
  for (const auto& exchange : topology.exchanges) {
    connection.DeclareExchange(exchange.name, exchange.type, true);
  }
  for (const auto& queue : topology.queues) {
    const ArgumentTable arguments{queue.arguments};
    amqp_queue_declare(state, Connection::kChannel, Bytes(queue.name), /*passive=*/0,
                       /*durable=*/1, /*exclusive=*/0, /*auto_delete=*/0, arguments.get());
    connection.CheckReply("queue.declare " + queue.name);
  }
  for (const auto& binding : topology.bindings) {
    amqp_queue_bind(state, Connection::kChannel, Bytes(binding.queue), Bytes(binding.exchange),
                    Bytes(binding.routing_key), amqp_empty_table);
    connection.CheckReply("queue.bind " + binding.queue);
  }
}

}  // namespace comanda::bus
