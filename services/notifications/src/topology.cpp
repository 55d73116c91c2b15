#include "topology.hpp"

#include "processor.hpp"

namespace comanda::notifications {

bus::Topology OrderCreatedTopology() {
  const std::string work{kWorkQueue};
  const std::string dlq{kDeadLetterQueue};
  bus::Topology topology;
  topology.exchanges = {{std::string{kOrdersExchange}, "topic"}};
  topology.queues = {
      {dlq, {{"x-queue-type", std::string{"quorum"}}}},
      {work,
       {{"x-queue-type", std::string{"quorum"}},
        {"x-delivery-limit", kDeliveryLimit},
        {"x-dead-letter-exchange", std::string{}},
        {"x-dead-letter-routing-key", dlq}}},
      {std::string{kRetryQueue},
       {{"x-queue-type", std::string{"classic"}},
        {"x-dead-letter-exchange", std::string{}},
        {"x-dead-letter-routing-key", work}}},
  };
  topology.bindings = {{work, std::string{kOrdersExchange}, std::string{kOrderCreatedKey}},
                       {work, std::string{kOrdersExchange}, std::string{kOrderStatusChangedKey}}};
  return topology;
}

}  // namespace comanda::notifications
