#include "orders.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::orders {
namespace {

using nlohmann::json;

constexpr auto kPizza = "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56";
constexpr auto kCola = "1c7a4d0f-9b67-4f5d-8b9f-7d3a4d0f9b67";

json Body(json items) {
  return {{"items", std::move(items)}, {"deliveryAddress", " Calle Mayor 1, Madrid "}};
}

std::vector<std::string> FieldsOf(const json& body) {
  try {
    (void)ParseCreateOrder(body);
  } catch (const core::Error& error) {
    EXPECT_EQ(error.errc(), core::Errc::kValidation);
    std::vector<std::string> fields;
    for (const auto& field : error.fields()) fields.push_back(field.field);
    return fields;
  }
  return {};
}

TEST(ParseCreateOrder, AcceptsAValidBodyAndTrimsTheAddress) {
  const auto input = ParseCreateOrder(Body({{{"productId", kPizza}, {"quantity", 2}}}));
  ASSERT_EQ(input.lines.size(), 1u);
  EXPECT_EQ(input.lines[0].product_id, kPizza);
  EXPECT_EQ(input.lines[0].quantity, 2);
  EXPECT_EQ(input.delivery_address, "Calle Mayor 1, Madrid");
  EXPECT_FALSE(input.notes);
}

TEST(ParseCreateOrder, MergesDuplicateProductLines) {
  const auto input = ParseCreateOrder(
      Body({{{"productId", kPizza}, {"quantity", 2}},
            {{"productId", kCola}, {"quantity", 1}},
            {{"productId", "0B6F3C9E-8A56-4E4C-9A8E-6C2F3C9E8A56"}, {"quantity", 3}}}));
  ASSERT_EQ(input.lines.size(), 2u);
  EXPECT_EQ(input.lines[0].quantity, 5);
  EXPECT_EQ(input.lines[0].index, 0u);
  EXPECT_EQ(input.lines[1].product_id, kCola);
  EXPECT_EQ(input.lines[1].index, 1u);
}

TEST(ParseCreateOrder, RejectsAMergedQuantityOverTheLimit) {
  EXPECT_EQ(FieldsOf(Body({{{"productId", kPizza}, {"quantity", 60}},
                           {{"productId", kPizza}, {"quantity", 40}}})),
            std::vector<std::string>{"items[1].quantity"});
}

TEST(ParseCreateOrder, EnforcesTheNumberOfLines) {
  EXPECT_EQ(FieldsOf(Body(json::array())), std::vector<std::string>{"items"});
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back({{"productId", kPizza}, {"quantity", 1}});
  EXPECT_EQ(FieldsOf(Body(many)), std::vector<std::string>{"items"});
  many.erase(many.begin());
  EXPECT_TRUE(FieldsOf(Body(many)).empty());
}

TEST(ParseCreateOrder, RejectsBadQuantities) {
  for (const auto& bad :
       {json(0), json(100), json(-1), json(1.5), json("2"), json(nullptr), json(true)}) {
    EXPECT_EQ(FieldsOf(Body({{{"productId", kPizza}, {"quantity", bad}}})),
              std::vector<std::string>{"items[0].quantity"})
        << bad.dump();
  }
  EXPECT_TRUE(FieldsOf(Body({{{"productId", kPizza}, {"quantity", 99}}})).empty());
  EXPECT_TRUE(FieldsOf(Body({{{"productId", kPizza}, {"quantity", 2.0}}})).size() == 1u)
      << "2.0 is a float in JSON, not an integer";
}

TEST(ParseCreateOrder, RejectsProductIdsThatAreNotUuids) {
  for (const auto& bad : {json("42"), json(""), json(42), json(nullptr), json("not-a-uuid")}) {
    EXPECT_EQ(FieldsOf(Body({{{"productId", bad}, {"quantity", 1}}})),
              std::vector<std::string>{"items[0].productId"})
        << bad.dump();
  }
}

TEST(ParseCreateOrder, NamesEveryBadFieldAtOnce) {
  const json body{{"items", {{{"quantity", 0}}, 7}}, {"notes", 5}};
  EXPECT_EQ(FieldsOf(body), (std::vector<std::string>{"items[0].productId", "items[0].quantity",
                                                      "items[1]", "deliveryAddress", "notes"}));
}

TEST(ParseCreateOrder, EnforcesAddressRules) {
  for (const auto& bad : {json(""), json("   "), json(std::string(301, 'a')), json("a\nb"),
                          json("a\tb"), json("\x1b[31m"), json(nullptr), json(3)}) {
    auto body = Body({{{"productId", kPizza}, {"quantity", 1}}});
    body["deliveryAddress"] = bad;
    EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"deliveryAddress"}) << bad.dump();
  }
  auto body = Body({{{"productId", kPizza}, {"quantity", 1}}});
  body["deliveryAddress"] = std::string(300, 'n');
  EXPECT_TRUE(FieldsOf(body).empty());
}

TEST(ParseCreateOrder, AcceptsNotesWithLineBreaksUpToTheLimit) {
  auto body = Body({{{"productId", kPizza}, {"quantity", 1}}});
  body["notes"] = " Ring twice.\nThird floor. ";
  EXPECT_EQ(ParseCreateOrder(body).notes, "Ring twice.\nThird floor.");
  body["notes"] = "   ";
  EXPECT_FALSE(ParseCreateOrder(body).notes);
  body["notes"] = std::string(501, 'x');
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"notes"});
  body["notes"] = "bell\x07";
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"notes"});
}

TEST(ParseIdempotencyKey, AcceptsPrintableAsciiUpTo255) {
  EXPECT_FALSE(ParseIdempotencyKey(""));
  EXPECT_EQ(ParseIdempotencyKey("order 1/2026-01-01 ~!"), "order 1/2026-01-01 ~!");
}

TEST(ParseIdempotencyKey, RejectsLongOrNonPrintableKeys) {
  EXPECT_EQ(ParseIdempotencyKey(std::string(255, 'k')), std::string(255, 'k'));
  EXPECT_THROW(ParseIdempotencyKey(std::string(256, 'k')), core::Error);
  EXPECT_THROW(ParseIdempotencyKey("caf\xc3\xa9"), core::Error);
  EXPECT_THROW(ParseIdempotencyKey("a\tb"), core::Error);
}

TEST(RequestHash, IgnoresLineOrderAndSpellingButNotContent) {
  const auto a = ParseCreateOrder(
      Body({{{"productId", kPizza}, {"quantity", 2}}, {{"productId", kCola}, {"quantity", 1}}}));
  const auto b = ParseCreateOrder(Body({{{"productId", kCola}, {"quantity", 1}},
                                        {{"productId", kPizza}, {"quantity", 1}},
                                        {{"productId", kPizza}, {"quantity", 1}}}));
  EXPECT_EQ(RequestHash(a), RequestHash(b));
  auto c = a;
  c.lines[0].quantity = 3;
  EXPECT_NE(RequestHash(a), RequestHash(c));
  auto d = a;
  d.notes = "x";
  EXPECT_NE(RequestHash(a), RequestHash(d));
  EXPECT_EQ(RequestHash(a).size(), 64u);
}

std::map<std::string, std::optional<Product>> Catalog() {
  return {{kPizza, Product{kPizza, "Margherita", 899, "EUR", true}},
          {kCola, Product{kCola, "Cola", 250, "EUR", true}}};
}

TEST(PriceOrder, TakesNamesAndPricesFromTheCatalog) {
  const auto input = ParseCreateOrder(
      Body({{{"productId", kPizza}, {"quantity", 2}}, {{"productId", kCola}, {"quantity", 3}}}));
  const auto order = PriceOrder(input, Catalog(), "o-1", "u-1", "2026-01-01T00:00:00.000Z");
  ASSERT_EQ(order.lines.size(), 2u);
  EXPECT_EQ(order.lines[0].name, "Margherita");
  EXPECT_EQ(order.lines[0].unit_price_cents, 899);
  EXPECT_EQ(order.lines[0].line_total_cents, 1798);
  EXPECT_EQ(order.lines[1].line_total_cents, 750);
  EXPECT_EQ(order.total_cents, 2548);
  EXPECT_EQ(order.currency, "EUR");
  EXPECT_EQ(order.status, "CREATED");
}

TEST(PriceOrder, NamesEachUnknownOrUnavailableLine) {
  auto catalog = Catalog();
  catalog[kCola]->available = false;
  catalog.erase(kPizza);
  const auto input = ParseCreateOrder(
      Body({{{"productId", kPizza}, {"quantity", 1}}, {{"productId", kCola}, {"quantity", 1}}}));
  try {
    (void)PriceOrder(input, catalog, "o", "u", "t");
    FAIL() << "expected PRODUCT_UNAVAILABLE";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.errc(), core::Errc::kUnprocessable);
    EXPECT_EQ(error.code(), "PRODUCT_UNAVAILABLE");
    ASSERT_EQ(error.fields().size(), 2u);
    EXPECT_EQ(error.fields()[0].field, "items[0].productId");
    EXPECT_EQ(error.fields()[1].field, "items[1].productId");
  }
}

TEST(PriceOrder, RefusesMixedCurrencies) {
  auto catalog = Catalog();
  catalog[kCola]->currency = "USD";
  const auto input = ParseCreateOrder(
      Body({{{"productId", kPizza}, {"quantity", 1}}, {{"productId", kCola}, {"quantity", 1}}}));
  try {
    (void)PriceOrder(input, catalog, "o", "u", "t");
    FAIL() << "expected CURRENCY_MISMATCH";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.code(), "CURRENCY_MISMATCH");
  }
}

TEST(ParseProduct, ReadsAProductAndRejectsBadShapes) {
  const json good{{"id", kPizza},      {"name", "Margherita"}, {"priceCents", 899},
                  {"currency", "EUR"}, {"available", true},    {"category", "pizzas"}};
  const auto product = ParseProduct(good);
  ASSERT_TRUE(product);
  EXPECT_EQ(product->price_cents, 899);
  for (const auto* field : {"id", "name", "priceCents", "currency", "available"}) {
    auto bad = good;
    bad.erase(field);
    EXPECT_FALSE(ParseProduct(bad)) << field;
  }
  auto negative = good;
  negative["priceCents"] = -1;
  EXPECT_FALSE(ParseProduct(negative));
}

TEST(OrderCreatedEvent, HasTheContractShape) {
  const auto input = ParseCreateOrder(Body({{{"productId", kPizza}, {"quantity", 1}}}));
  const auto order = PriceOrder(input, Catalog(), "o-1", "u-1", "2026-01-01T00:00:00.000Z");
  const auto event = OrderCreatedEvent(order, {"u-1", "ana@example.com", "Ana"}, "e-1", "req-1");
  const json expected{{"eventId", "e-1"},
                      {"eventType", "OrderCreated"},
                      {"eventVersion", 1},
                      {"occurredAt", "2026-01-01T00:00:00.000Z"},
                      {"correlationId", "req-1"},
                      {"data",
                       {{"orderId", "o-1"},
                        {"userId", "u-1"},
                        {"userEmail", "ana@example.com"},
                        {"userName", "Ana"},
                        {"items",
                         {{{"productId", kPizza},
                           {"name", "Margherita"},
                           {"quantity", 1},
                           {"unitPriceCents", 899}}}},
                        {"totalCents", 899},
                        {"currency", "EUR"}}}};
  EXPECT_EQ(event, expected);
}

TEST(ToJson, RendersTheOrderOfTheContract) {
  const auto input = ParseCreateOrder(Body({{{"productId", kPizza}, {"quantity", 1}}}));
  const auto rendered = ToJson(PriceOrder(input, Catalog(), "o-1", "u-1", "t"));
  for (const auto* key : {"id", "userId", "status", "items", "totalCents", "currency",
                          "deliveryAddress", "notes", "createdAt"}) {
    EXPECT_TRUE(rendered.contains(key)) << key;
  }
  EXPECT_TRUE(rendered["notes"].is_null());
  EXPECT_EQ(rendered["items"][0]["lineTotalCents"], 899);
}

}  // namespace
}  // namespace comanda::orders
