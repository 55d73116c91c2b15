#include "properties.hpp"

#include <gtest/gtest.h>

namespace comanda::bus {
namespace {

std::string Header(const amqp_basic_properties_t& p, const std::string& name) {
  for (int i = 0; i < p.headers.num_entries; ++i) {
    const auto& entry = p.headers.entries[i];
    if (ToString(entry.key) == name && entry.value.kind == AMQP_FIELD_KIND_UTF8) {
      return ToString(entry.value.value.bytes);
    }
  }
  return "<absent>";
}

TEST(AmqpProperties, SetsEveryPropertyAnEventNeeds) {
  MessageProperties source;
  source.message_id = "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56";
  source.type = "OrderCreated";
  source.correlation_id = "req-123";
  source.timestamp = 1700000000;
  const AmqpProperties properties{source};
  const auto& p = properties.get();

  for (const auto flag :
       {AMQP_BASIC_CONTENT_TYPE_FLAG, AMQP_BASIC_DELIVERY_MODE_FLAG, AMQP_BASIC_MESSAGE_ID_FLAG,
        AMQP_BASIC_TYPE_FLAG, AMQP_BASIC_CORRELATION_ID_FLAG, AMQP_BASIC_HEADERS_FLAG,
        AMQP_BASIC_TIMESTAMP_FLAG}) {
    EXPECT_TRUE(p._flags & flag) << flag;
  }
  EXPECT_EQ(ToString(p.content_type), "application/json");
  EXPECT_EQ(p.delivery_mode, AMQP_DELIVERY_PERSISTENT);
  EXPECT_EQ(ToString(p.message_id), source.message_id);
  EXPECT_EQ(ToString(p.type), "OrderCreated");
  EXPECT_EQ(ToString(p.correlation_id), "req-123");
  EXPECT_EQ(Header(p, "x-correlation-id"), "req-123");
  EXPECT_EQ(p.timestamp, 1700000000u);
}

TEST(AmqpProperties, LeavesOutWhatIsNotGiven) {
  MessageProperties source;
  source.content_type.clear();
  source.persistent = false;
  const AmqpProperties properties{source};
  const auto& p = properties.get();
  EXPECT_EQ(p._flags, AMQP_BASIC_DELIVERY_MODE_FLAG);
  EXPECT_EQ(p.delivery_mode, AMQP_DELIVERY_NONPERSISTENT);
}

TEST(AmqpProperties, CarriesExtraHeadersBesideTheCorrelationId) {
  MessageProperties source;
  source.correlation_id = "c-1";
  source.headers = {{"x-attempt", "2"}};
  const AmqpProperties properties{source};
  const auto& p = properties.get();
  ASSERT_EQ(p.headers.num_entries, 2);
  EXPECT_EQ(Header(p, "x-attempt"), "2");
  EXPECT_EQ(Header(p, "x-correlation-id"), "c-1");
}

TEST(AmqpProperties, OwnsItsBytesAfterTheSourceIsGone) {
  auto source = std::make_unique<MessageProperties>();
  source->message_id = std::string(64, 'm');
  const AmqpProperties properties{*source};
  source.reset();
  EXPECT_EQ(ToString(properties.get().message_id), std::string(64, 'm'));
}

}  // namespace
}  // namespace comanda::bus
