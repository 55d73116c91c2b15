#include "outbox_relay.hpp"

#include <gtest/gtest.h>

namespace comanda::orders {
namespace {

OutboxRecord Record(std::string id) {
  return {std::move(id),
          "OrderCreated",
          "order.created",
          R"({"eventId":"x"})",
          "req-1",
          1700000000,
          ""};
}

TEST(ToMessage, CarriesEveryPropertyTheContractLists) {
  const auto message = ToMessage(Record("e-1"));
  EXPECT_EQ(message.exchange, "orders");
  EXPECT_EQ(message.routing_key, "order.created");
  EXPECT_EQ(message.body, R"({"eventId":"x"})");
  EXPECT_EQ(message.properties.message_id, "e-1");
  EXPECT_EQ(message.properties.type, "OrderCreated");
  EXPECT_EQ(message.properties.content_type, "application/json");
  EXPECT_EQ(message.properties.correlation_id, "req-1");
  EXPECT_TRUE(message.properties.persistent);
  EXPECT_EQ(message.properties.timestamp, 1700000000);
  EXPECT_TRUE(message.properties.headers.empty());  // no trace context stored: no traceparent
}

TEST(ToMessage, CarriesTheStoredTraceContext) {
  auto record = Record("e-1");
  record.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const auto message = ToMessage(record);
  ASSERT_EQ(message.properties.headers.size(), 1u);
  EXPECT_EQ(message.properties.headers[0].first, "traceparent");
  EXPECT_EQ(message.properties.headers[0].second, record.traceparent);
}

TEST(PublishInOrder, MarksEachRecordOnlyAfterItsAck) {
  std::vector<std::string> log;
  const auto result = PublishInOrder(
      {Record("a"), Record("b")},
      [&](const bus::Message& m) { log.push_back("publish " + m.properties.message_id); },
      [&](const OutboxRecord& r) { log.push_back("mark " + r.id); });
  EXPECT_EQ(result.acked, 2u);
  EXPECT_FALSE(result.error);
  EXPECT_EQ(log, (std::vector<std::string>{"publish a", "mark a", "publish b", "mark b"}));
}

TEST(PublishInOrder, StopsAtTheFirstFailureWithoutMarkingIt) {
  std::vector<std::string> marked;
  const auto result = PublishInOrder(
      {Record("a"), Record("b"), Record("c")},
      [](const bus::Message& m) {
        if (m.properties.message_id == "b") throw bus::BrokerError{"nacked"};
      },
      [&](const OutboxRecord& r) { marked.push_back(r.id); });
  EXPECT_EQ(result.acked, 1u);
  EXPECT_EQ(result.error, "nacked");
  EXPECT_EQ(marked, std::vector<std::string>{"a"});
}

TEST(PublishInOrder, StopsWhenAskedTo) {
  std::stop_source source;
  int published = 0;
  const auto result = PublishInOrder(
      {Record("a"), Record("b")},
      [&](const bus::Message&) {
        ++published;
        source.request_stop();
      },
      [](const OutboxRecord&) {}, source.get_token());
  EXPECT_EQ(published, 1);
  EXPECT_EQ(result.acked, 1u);
  EXPECT_FALSE(result.error);
}

}  // namespace
}  // namespace comanda::orders
