#include "status_events.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace comanda::notifications {
namespace {

nlohmann::json Event() {
  return {{"eventId", "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56"},
          {"eventType", "OrderStatusChanged"},
          {"eventVersion", 1},
          {"occurredAt", "2026-03-01T12:30:00.000Z"},
          {"correlationId", "req-1"},
          {"data",
           {{"orderId", "5f0c2a1e-7c1b-4b8e-9a51-3f2d8f0e9a11"},
            {"userId", "66666666-7777-4888-9999-000000000000"},
            {"from", "PREPARING"},
            {"to", "CANCELLED"},
            {"at", "2026-03-01T12:30:00.000Z"},
            {"reason", "Out of dough"},
            {"sequence", 4}}}};
}

std::string CodeOf(const nlohmann::json& body) {
  try {
    ParseOrderStatusChanged(body.dump());
  } catch (const PoisonMessage& poison) {
    return poison.code();
  }
  return "OK";
}

TEST(ParseOrderStatusChanged, ReadsTheMove) {
  const auto event = ParseOrderStatusChanged(Event().dump());
  EXPECT_EQ(event.order_id, "5f0c2a1e-7c1b-4b8e-9a51-3f2d8f0e9a11");
  EXPECT_EQ(event.from, "PREPARING");
  EXPECT_EQ(event.to, "CANCELLED");
  EXPECT_EQ(event.reason, "Out of dough");
  EXPECT_EQ(event.sequence, 4);
}

TEST(ParseOrderStatusChanged, RefusesWhatItCannotUse) {
  auto bad_state = Event();
  bad_state["data"]["to"] = "COOKING";
  EXPECT_EQ(CodeOf(bad_state), "INVALID_EVENT");
  auto no_sequence = Event();
  no_sequence["data"].erase("sequence");
  EXPECT_EQ(CodeOf(no_sequence), "INVALID_EVENT");
  auto other_type = Event();
  other_type["eventType"] = "OrderCreated";
  EXPECT_EQ(CodeOf(other_type), "UNKNOWN_EVENT_TYPE");
  auto other_version = Event();
  other_version["eventVersion"] = 2;
  EXPECT_EQ(CodeOf(other_version), "UNKNOWN_EVENT_VERSION");
  EXPECT_THROW(ParseOrderStatusChanged("not json"), PoisonMessage);
}

TEST(StatusText, NamesTheOrderByItsShortReference) {
  const auto event = ParseOrderStatusChanged(Event().dump());
  EXPECT_EQ(ShortReference(event.order_id), "5F0C2A1E");
  EXPECT_EQ(StatusText(event), "📦 Pedido 5F0C2A1E cancelado: Out of dough");
  EXPECT_TRUE(IsCustomerFacing("DELIVERED"));
  EXPECT_FALSE(IsCustomerFacing("PREPARING"));
}

}  // namespace
}  // namespace comanda::notifications
