#include <gtest/gtest.h>

#include "delivery.hpp"
#include "properties.hpp"

namespace comanda::bus {
namespace {

TEST(ReadProperties, ReadsBackWhatAPublisherSets) {
  MessageProperties sent;
  sent.message_id = "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56";
  sent.type = "OrderCreated";
  sent.correlation_id = "req-1";
  sent.timestamp = 1700000000;
  sent.headers = {{"x-attempt", "3"}};
  const AmqpProperties amqp{sent};

  const auto read = ReadProperties(amqp.get());
  EXPECT_EQ(read.message_id, sent.message_id);
  EXPECT_EQ(read.type, "OrderCreated");
  EXPECT_EQ(read.content_type, "application/json");
  EXPECT_EQ(read.correlation_id, "req-1");
  EXPECT_EQ(read.timestamp, 1700000000);
  EXPECT_EQ(read.Header("x-attempt"), "3");
  EXPECT_EQ(read.Header("x-correlation-id"), "req-1");
  EXPECT_EQ(read.Header("x-missing"), std::nullopt);
}

TEST(ReadProperties, GivesScalarHeadersAsTextAndSkipsTables) {
  amqp_table_entry_t entries[4]{};
  entries[0].key = amqp_cstring_bytes("x-attempt");
  entries[0].value.kind = AMQP_FIELD_KIND_I32;
  entries[0].value.value.i32 = 4;
  entries[1].key = amqp_cstring_bytes("x-big");
  entries[1].value.kind = AMQP_FIELD_KIND_I64;
  entries[1].value.value.i64 = -5'000'000'000;
  entries[2].key = amqp_cstring_bytes("x-flag");
  entries[2].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  entries[2].value.value.boolean = 1;
  entries[3].key = amqp_cstring_bytes("x-death");
  entries[3].value.kind = AMQP_FIELD_KIND_ARRAY;
  amqp_basic_properties_t p{};
  p._flags = AMQP_BASIC_HEADERS_FLAG;
  p.headers = amqp_table_t{4, entries};

  const auto read = ReadProperties(p);
  ASSERT_EQ(read.headers.size(), 3u);
  EXPECT_EQ(read.Header("x-attempt"), "4");
  EXPECT_EQ(read.Header("x-big"), "-5000000000");
  EXPECT_EQ(read.Header("x-flag"), "true");
  EXPECT_EQ(read.Header("x-death"), std::nullopt);
}

TEST(ReadProperties, LeavesAbsentPropertiesEmpty) {
  const amqp_basic_properties_t p{};
  const auto read = ReadProperties(p);
  EXPECT_TRUE(read.message_id.empty());
  EXPECT_TRUE(read.type.empty());
  EXPECT_FALSE(read.timestamp);
  EXPECT_TRUE(read.headers.empty());
}

}  // namespace
}  // namespace comanda::bus
