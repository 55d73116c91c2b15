#include "events.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "comanda/core/time.hpp"

namespace comanda::notifications {
namespace {

using nlohmann::json;

json ValidEvent() {
  return json::parse(R"({
    "eventId": "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56", "eventType": "OrderCreated",
    "eventVersion": 1, "occurredAt": "2026-03-01T12:30:00.250Z", "correlationId": "req-1",
    "data": {"orderId": "11111111-2222-4333-8444-555555555555",
             "userId": "66666666-7777-4888-9999-000000000000", "userEmail": "ana@example.com",
             "userName": "Ana García",
             "items": [{"productId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "name": "Pizza",
                        "quantity": 2, "unitPriceCents": 617}],
             "totalCents": 1234, "currency": "EUR"}})");
}

std::string CodeOf(const std::string& body) {
  try {
    ParseOrderCreated(body);
  } catch (const PoisonMessage& poison) {
    return poison.code() + ": " + poison.what();
  }
  return "accepted";
}

TEST(ParseOrderCreated, ReadsAValidEvent) {
  const auto event = ParseOrderCreated(ValidEvent().dump());
  EXPECT_EQ(event.event_id, "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56");
  EXPECT_EQ(event.order_id, "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(event.user_id, "66666666-7777-4888-9999-000000000000");
  EXPECT_EQ(event.user_email, "ana@example.com");
  EXPECT_EQ(event.user_name, "Ana García");
  EXPECT_EQ(event.total_cents, 1234);
  EXPECT_EQ(event.currency, "EUR");
  EXPECT_EQ(event.correlation_id, "req-1");
  EXPECT_EQ(event.occurred_at, *core::ParseRfc3339("2026-03-01T12:30:00.250Z"));
}

TEST(ParseOrderCreated, SendsBodiesThatAreNotJsonObjectsToMalformedJson) {
  for (const auto* body : {"", "not json", "{\"eventType\":", "[1,2]", "\"OrderCreated\"", "42"}) {
    EXPECT_EQ(CodeOf(body).rfind("MALFORMED_JSON", 0), 0u) << body;
  }
}

TEST(ParseOrderCreated, RefusesUnknownEventTypesAndVersions) {
  auto event = ValidEvent();
  event["eventType"] = "OrderShipped";
  EXPECT_EQ(CodeOf(event.dump()).rfind("UNKNOWN_EVENT_TYPE", 0), 0u);
  event = ValidEvent();
  event["eventVersion"] = 2;
  EXPECT_EQ(CodeOf(event.dump()).rfind("UNKNOWN_EVENT_VERSION", 0), 0u);
  event = ValidEvent();
  event["eventVersion"] = "1";
  EXPECT_EQ(CodeOf(event.dump()).rfind("INVALID_EVENT", 0), 0u);
  event = ValidEvent();
  event.erase("eventType");
  EXPECT_EQ(CodeOf(event.dump()).rfind("INVALID_EVENT", 0), 0u);
}

TEST(ParseOrderCreated, NamesEveryMissingOrInvalidField) {
  auto event = ValidEvent();
  event.erase("eventId");
  event["occurredAt"] = "yesterday";
  event["data"]["orderId"] = "42";
  event["data"].erase("userEmail");
  event["data"]["items"] = "none";
  event["data"]["totalCents"] = -1;
  event["data"]["currency"] = "eur";
  const auto result = CodeOf(event.dump());
  EXPECT_EQ(result.rfind("INVALID_EVENT", 0), 0u) << result;
  for (const auto* field : {"eventId", "occurredAt", "data.orderId", "data.userEmail", "data.items",
                            "data.totalCents", "data.currency"}) {
    EXPECT_NE(result.find(field), std::string::npos) << field << " in " << result;
  }
}

TEST(ParseOrderCreated, RefusesAMissingDataObjectAndFractionalTotals) {
  auto event = ValidEvent();
  event["data"] = json::array();
  EXPECT_NE(CodeOf(event.dump()).find("data: is required"), std::string::npos);
  event = ValidEvent();
  event["data"]["totalCents"] = 12.5;
  EXPECT_NE(CodeOf(event.dump()).find("data.totalCents"), std::string::npos);
}

TEST(ParseOrderCreated, RefusesControlCharactersThatWouldReachLogsAndTheDatabase) {
  auto event = ValidEvent();
  event["data"]["userName"] = std::string{"Ana\0Bad", 7};
  EXPECT_NE(CodeOf(event.dump()).find("data.userName"), std::string::npos);
  event["data"]["userName"] = "Ana\x1b[31m";
  EXPECT_NE(CodeOf(event.dump()).find("data.userName"), std::string::npos);
}

TEST(ParseOrderCreated, RefusesOversizedBodiesUnparsed) {
  const std::string body(kMaxEventBytes + 1, ' ');
  EXPECT_EQ(CodeOf(body).rfind("TOO_LARGE", 0), 0u);
}

TEST(FormatMoney, UsesSpanishSeparatorsAndTwoDecimals) {
  EXPECT_EQ(FormatMoney(1234, "EUR"), "12,34 EUR");
  EXPECT_EQ(FormatMoney(5, "EUR"), "0,05 EUR");
  EXPECT_EQ(FormatMoney(0, "EUR"), "0,00 EUR");
  EXPECT_EQ(FormatMoney(123456789, "EUR"), "1.234.567,89 EUR");
  EXPECT_EQ(FormatMoney(100000, "USD"), "1.000,00 USD");
}

TEST(NotificationText, NamesTheUserTheOrderAndTheTotal) {
  auto event = ParseOrderCreated(ValidEvent().dump());
  EXPECT_EQ(NotificationText(event),
            "📩 Pedido confirmado para el usuario Ana García: pedido "
            "11111111-2222-4333-8444-555555555555, total 12,34 EUR");
}

TEST(NotificationText, FallsBackToTheEmailWithoutAName) {
  auto body = ValidEvent();
  body["data"]["userName"] = "   ";
  const auto text = NotificationText(ParseOrderCreated(body.dump()));
  EXPECT_EQ(text.rfind("📩 Pedido confirmado para el usuario ana@example.com: pedido", 0), 0u);
}

}  // namespace
}  // namespace comanda::notifications
