#include "products.hpp"

#include <algorithm>
#include <cstdio>

#include "comanda/core/error.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::products {

bool IsCategory(std::string_view category) noexcept {
  return std::find(kCategories.begin(), kCategories.end(), category) != kCategories.end();
}

namespace {
std::string CategoryList() {
  std::string list;
  for (const auto category : kCategories)
    list += (list.empty() ? "" : ", ") + std::string{category};
  return list;
}
}  // namespace

std::optional<std::string> ParseCategoryFilter(std::optional<std::string_view> category) {
  if (!category) return std::nullopt;
  if (!IsCategory(*category)) {
    throw core::Error{core::Errc::kValidation,
                      "Unknown category.",
                      {{"category", "must be one of " + CategoryList()}}};
  }
  return std::string{*category};
}

ProductInput ParseProductInput(const nlohmann::json& body) {
  core::FieldReader reader{body};
  ProductInput input;
  input.name = reader.String("name", {.min_length = 1, .max_length = 100});
  input.description =
      reader
          .OptionalString("description",
                          {.min_length = 0, .max_length = 500, .allow_line_breaks = true})
          .value_or("");
  const auto problems = reader.errors().size();
  input.category = reader.String("category", {.min_length = 1, .max_length = 20});
  if (reader.errors().size() == problems && !IsCategory(input.category)) {
    reader.Add("category", "must be one of " + CategoryList());
  }
  input.price_cents = reader.Integer("priceCents", 1, kMaxPriceCents).value_or(0);
  if (const auto it = body.find("currency"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>() != kCurrency) {
      reader.Add("currency", "must be " + std::string{kCurrency});
    }
  }
  if (const auto it = body.find("available"); it != body.end() && !it->is_null()) {
    input.available = reader.Boolean("available").value_or(true);
  }
  reader.ThrowIfInvalid();
  return input;
}

nlohmann::json ToJson(const Product& product) {
  return {{"id", product.id},
          {"name", product.name},
          {"description", product.description},
          {"category", product.category},
          {"priceCents", product.price_cents},
          {"currency", product.currency},
          {"available", product.available}};
}

std::string ETagOf(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buffer;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto candidate = core::TrimAscii(header.substr(0, comma));
    if (candidate == "*") return true;
    if (candidate.rfind("W/", 0) == 0) candidate.remove_prefix(2);  // weak comparison (RFC 9110)
    if (candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace comanda::products
