#include <gtest/gtest.h>

#include "arguments.hpp"
#include "properties.hpp"

namespace comanda::bus {
namespace {

TEST(ArgumentTable, EncodesTextAndIntegerArguments) {
  const ArgumentTable table{{{"x-queue-type", std::string{"quorum"}},
                             {"x-delivery-limit", std::int64_t{20}},
                             {"x-dead-letter-exchange", std::string{}}}};
  const auto t = table.get();
  ASSERT_EQ(t.num_entries, 3);
  EXPECT_EQ(ToString(t.entries[0].key), "x-queue-type");
  EXPECT_EQ(t.entries[0].value.kind, AMQP_FIELD_KIND_UTF8);
  EXPECT_EQ(ToString(t.entries[0].value.value.bytes), "quorum");
  EXPECT_EQ(ToString(t.entries[1].key), "x-delivery-limit");
  EXPECT_EQ(t.entries[1].value.kind, AMQP_FIELD_KIND_I64);
  EXPECT_EQ(t.entries[1].value.value.i64, 20);
  // The default exchange is the empty name: an empty string, not a missing argument.
  EXPECT_EQ(t.entries[2].value.kind, AMQP_FIELD_KIND_UTF8);
  EXPECT_EQ(t.entries[2].value.value.bytes.len, 0u);
}

TEST(ArgumentTable, IsTheEmptyTableWithoutArguments) {
  const ArgumentTable table{{}};
  EXPECT_EQ(table.get().num_entries, 0);
}

TEST(ArgumentTable, OwnsItsBytesAfterTheSourceIsGone) {
  auto arguments =
      std::make_unique<Arguments>(Arguments{{std::string(40, 'k'), std::string(40, 'v')}});
  const ArgumentTable table{*arguments};
  arguments.reset();
  EXPECT_EQ(ToString(table.get().entries[0].key), std::string(40, 'k'));
  EXPECT_EQ(ToString(table.get().entries[0].value.value.bytes), std::string(40, 'v'));
}

}  // namespace
}  // namespace comanda::bus
