#include "products.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::products {
namespace {

using nlohmann::json;

const json kValid{{"name", " Pizza Bianca "}, {"description", "Olive oil,\nrosemary"},
                  {"category", "pizzas"},     {"priceCents", 1050},
                  {"currency", "EUR"},        {"available", false}};

std::vector<std::string> FieldsOf(const json& body) {
  try {
    (void)ParseProductInput(body);
  } catch (const core::Error& error) {
    std::vector<std::string> fields;
    for (const auto& field : error.fields()) fields.push_back(field.field);
    return fields;
  }
  return {};
}

TEST(ParseProductInput, ReadsAValidBody) {
  const auto input = ParseProductInput(kValid);
  EXPECT_EQ(input.name, "Pizza Bianca");
  EXPECT_EQ(input.description, "Olive oil,\nrosemary");
  EXPECT_EQ(input.category, "pizzas");
  EXPECT_EQ(input.price_cents, 1050);
  EXPECT_FALSE(input.available);
}

TEST(ParseProductInput, DefaultsOptionalFields) {
  const auto input =
      ParseProductInput(json{{"name", "Water"}, {"category", "drinks"}, {"priceCents", 200}});
  EXPECT_EQ(input.description, "");
  EXPECT_TRUE(input.available);
}

TEST(ParseProductInput, NamesEveryBadField) {
  EXPECT_EQ(FieldsOf(json::object()), (std::vector<std::string>{"name", "category", "priceCents"}));
  auto body = kValid;
  body["category"] = "soups";
  body["priceCents"] = 0;
  body["currency"] = "USD";
  body["available"] = "yes";
  EXPECT_EQ(FieldsOf(body),
            (std::vector<std::string>{"category", "priceCents", "currency", "available"}));
}

TEST(ParseProductInput, RejectsFractionalAndHugePrices) {
  auto body = kValid;
  body["priceCents"] = 9.99;
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"priceCents"});
  body["priceCents"] = kMaxPriceCents + 1;
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"priceCents"});
}

TEST(ParseCategoryFilter, AcceptsKnownCategoriesOnly) {
  EXPECT_EQ(ParseCategoryFilter(std::nullopt), std::nullopt);
  EXPECT_EQ(ParseCategoryFilter("drinks"), "drinks");
  EXPECT_THROW(ParseCategoryFilter("Drinks"), core::Error);
  EXPECT_THROW(ParseCategoryFilter(""), core::Error);
}

TEST(ETagOf, IsStableQuotedAndContentSensitive) {
  EXPECT_EQ(ETagOf("abc"), ETagOf("abc"));
  EXPECT_NE(ETagOf("abc"), ETagOf("abd"));
  const auto etag = ETagOf("abc");
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(etag.size(), 18u);
}

TEST(IfNoneMatchMatches, HandlesListsWildcardsAndWeakTags) {
  const std::string etag = "\"0123456789abcdef\"";
  EXPECT_TRUE(IfNoneMatchMatches(etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", " + etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("W/" + etag, etag));
  EXPECT_TRUE(IfNoneMatchMatches("*", etag));
  EXPECT_FALSE(IfNoneMatchMatches("\"other\"", etag));
  EXPECT_FALSE(IfNoneMatchMatches("", etag));
}

TEST(ToJson, UsesTheContractFieldNames) {
  const auto product = ToJson({"id", "Fries", "Crispy", "sides", 450, "EUR", true});
  for (const auto* field :
       {"id", "name", "description", "category", "priceCents", "currency", "available"}) {
    EXPECT_TRUE(product.contains(field)) << field;
  }
}

}  // namespace
}  // namespace comanda::products
