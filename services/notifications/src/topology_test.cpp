#include "topology.hpp"

#include <gtest/gtest.h>

#include "processor.hpp"

namespace comanda::notifications {
namespace {

const bus::QueueSpec& Queue(const bus::Topology& topology, std::string_view name) {
  for (const auto& queue : topology.queues) {
    if (queue.name == name) return queue;
  }
  throw std::runtime_error{"no queue " + std::string{name}};
}

bus::ArgumentValue Argument(const bus::QueueSpec& queue, const std::string& key) {
  for (const auto& [name, value] : queue.arguments) {
    if (name == key) return value;
  }
  return std::string{"<absent>"};
}

TEST(OrderCreatedTopology, BindsAQuorumWorkQueueThatDeadLettersToTheDlq) {
  const auto topology = OrderCreatedTopology();
  ASSERT_EQ(topology.exchanges.size(), 1u);
  EXPECT_EQ(topology.exchanges[0].name, "orders");
  EXPECT_EQ(topology.exchanges[0].type, "topic");
  const auto& work = Queue(topology, kWorkQueue);
  EXPECT_EQ(Argument(work, "x-queue-type"), bus::ArgumentValue{std::string{"quorum"}});
  EXPECT_EQ(Argument(work, "x-delivery-limit"), bus::ArgumentValue{kDeliveryLimit});
  EXPECT_EQ(Argument(work, "x-dead-letter-exchange"), bus::ArgumentValue{std::string{}});
  EXPECT_EQ(Argument(work, "x-dead-letter-routing-key"),
            bus::ArgumentValue{std::string{kDeadLetterQueue}});
  ASSERT_EQ(topology.bindings.size(), 2u);
  EXPECT_EQ(topology.bindings[0].queue, kWorkQueue);
  EXPECT_EQ(topology.bindings[0].exchange, "orders");
  EXPECT_EQ(topology.bindings[0].routing_key, "order.created");
  // Issue 16: status changes share the queue, its retries and its dead-letter queue.
  EXPECT_EQ(topology.bindings[1].queue, kWorkQueue);
  EXPECT_EQ(topology.bindings[1].routing_key, "order.status_changed");
}

TEST(OrderCreatedTopology, ExpiresRetriesBackIntoTheWorkQueue) {
  const auto topology = OrderCreatedTopology();
  const auto& retry = Queue(topology, kRetryQueue);
  EXPECT_EQ(Argument(retry, "x-dead-letter-exchange"), bus::ArgumentValue{std::string{}});
  EXPECT_EQ(Argument(retry, "x-dead-letter-routing-key"),
            bus::ArgumentValue{std::string{kWorkQueue}});
  EXPECT_EQ(Argument(retry, "x-message-ttl"), bus::ArgumentValue{std::string{"<absent>"}});
  // The DLQ is declared before the work queue that dead-letters into it.
  EXPECT_EQ(topology.queues.front().name, kDeadLetterQueue);
}

}  // namespace
}  // namespace comanda::notifications
