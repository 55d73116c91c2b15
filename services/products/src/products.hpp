#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

/// The products domain: input rules and representations as plain, unit-tested functions.
namespace comanda::products {

inline constexpr std::array<std::string_view, 5> kCategories{"burgers", "pizzas", "sides", "drinks",
                                                             "desserts"};
inline constexpr std::string_view kCurrency = "EUR";
inline constexpr std::int64_t kMaxPriceCents = 1'000'000;

struct Product {
  std::string id;
  std::string name;
  std::string description;
  std::string category;
  std::int64_t price_cents = 0;
  std::string currency;
  bool available = true;
};

/// The fields an admin sends to create or replace a product.
struct ProductInput {
  std::string name;
  std::string description;
  std::string category;
  std::int64_t price_cents = 0;
  bool available = true;
};

bool IsCategory(std::string_view category) noexcept;

/// Validates `?category=`: nullopt for none; throws core::Error{kValidation} naming the allowed
/// values for an unknown one.
std::optional<std::string> ParseCategoryFilter(std::optional<std::string_view> category);

/// Validates a POST/PUT body; throws core::Error{kValidation} naming every bad field.
ProductInput ParseProductInput(const nlohmann::json& body);

nlohmann::json ToJson(const Product& product);

/// A strong ETag for a response body (FNV-1a 64, hex, quoted).
std::string ETagOf(std::string_view body);

/// True when an If-None-Match header value matches `etag` (a list, `*`, or weak forms).
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace comanda::products
