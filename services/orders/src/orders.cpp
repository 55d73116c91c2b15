#include "orders.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <set>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/validate.hpp"
#include "lifecycle.hpp"

namespace comanda::orders {
namespace {

using core::Errc;
using core::Error;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error{"EVP_Digest failed"};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

std::string Item(std::size_t index) { return "items[" + std::to_string(index) + "]"; }

}  // namespace

OrderInput ParseCreateOrder(const nlohmann::json& body) {
  core::FieldReader reader{body};
  OrderInput out;
  if (const auto* items = reader.Array("items", 1, kMaxLines)) {
    std::map<std::string, std::size_t> position;  // product id -> index in out.lines
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      if (!item.is_object()) {
        reader.Add(Item(i), "must be an object");
        continue;
      }
      core::FieldReader line{item, Item(i)};
      auto product_id = line.String("productId", {.min_length = 1, .max_length = 64});
      if (!product_id.empty() && !core::IsUuid(product_id)) {
        line.Add("productId", "must be a UUID");
      }
      const auto quantity = line.Integer("quantity", 1, kMaxQuantity);
      line.MergeInto(reader);
      if (!line.errors().empty() || !quantity) continue;
      product_id = Lower(std::move(product_id));
      if (const auto it = position.find(product_id); it != position.end()) {
        auto& merged = out.lines[it->second];
        merged.quantity += static_cast<int>(*quantity);
        if (merged.quantity > kMaxQuantity) {
          reader.Add(Item(i) + ".quantity",
                     "with the earlier line of this product the quantity exceeds " +
                         std::to_string(kMaxQuantity));
        }
        continue;
      }
      position.emplace(product_id, out.lines.size());
      out.lines.push_back({std::move(product_id), static_cast<int>(*quantity), i});
    }
  }
  out.delivery_address =
      reader.String("deliveryAddress", {.min_length = 1, .max_length = kMaxAddress});
  out.notes = reader.OptionalString(
      "notes", {.min_length = 0, .max_length = kMaxNotes, .allow_line_breaks = true});
  if (out.notes && out.notes->empty()) out.notes.reset();
  reader.ThrowIfInvalid();
  return out;
}

std::optional<std::string> ParseIdempotencyKey(std::string_view header) {
  if (header.empty()) return std::nullopt;
  const bool printable =
      std::all_of(header.begin(), header.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (header.size() > kMaxIdempotencyKey || !printable) {
    throw Error{Errc::kValidation,
                "The Idempotency-Key header is invalid.",
                {{"Idempotency-Key", "must be 1 to 255 printable ASCII characters"}}};
  }
  return std::string{header};
}

std::string RequestHash(const OrderInput& input) {
  auto lines = input.lines;
  std::sort(lines.begin(), lines.end(),
            [](const auto& a, const auto& b) { return a.product_id < b.product_id; });
  nlohmann::json canonical{{"items", nlohmann::json::array()},
                           {"deliveryAddress", input.delivery_address},
                           {"notes", input.notes ? nlohmann::json(*input.notes) : nullptr}};
  for (const auto& line : lines) {
    canonical["items"].push_back({line.product_id, line.quantity});
  }
  return Sha256Hex(canonical.dump());
}

std::optional<Product> ParseProduct(const nlohmann::json& body) {
  if (!body.is_object()) return std::nullopt;
  const auto id = body.find("id");
  const auto name = body.find("name");
  const auto price = body.find("priceCents");
  const auto currency = body.find("currency");
  const auto available = body.find("available");
  if (id == body.end() || !id->is_string() || name == body.end() || !name->is_string() ||
      price == body.end() || !price->is_number_integer() || currency == body.end() ||
      !currency->is_string() || available == body.end() || !available->is_boolean()) {
    return std::nullopt;
  }
  const auto cents = price->get<std::int64_t>();
  if (cents < 0 || cents > 100'000'000) return std::nullopt;
  return Product{Lower(id->get<std::string>()), name->get<std::string>(), cents,
                 currency->get<std::string>(), available->get<bool>()};
}

Order PriceOrder(const OrderInput& input,
                 const std::map<std::string, std::optional<Product>>& found, std::string order_id,
                 std::string user_id, std::string created_at) {
  std::vector<core::FieldError> unavailable;
  std::set<std::string> currencies;
  Order order;
  for (const auto& line : input.lines) {
    const auto it = found.find(line.product_id);
    const Product* product = (it != found.end() && it->second) ? &*it->second : nullptr;
    if (product == nullptr) {
      unavailable.push_back({Item(line.index) + ".productId", "no such product"});
      continue;
    }
    if (!product->available) {
      unavailable.push_back({Item(line.index) + ".productId", "this product is not available"});
      continue;
    }
    currencies.insert(product->currency);
    const auto line_total = product->price_cents * line.quantity;
    order.lines.push_back(
        {line.product_id, product->name, product->price_cents, line.quantity, line_total});
    order.total_cents += line_total;
  }
  if (!unavailable.empty()) {
    throw Error{Errc::kUnprocessable, "Some products cannot be ordered.", std::move(unavailable)}
        .WithCode("PRODUCT_UNAVAILABLE");
  }
  if (currencies.size() != 1) {
    throw Error{Errc::kUnprocessable, "The products are priced in different currencies."}.WithCode(
        "CURRENCY_MISMATCH");
  }
  order.id = std::move(order_id);
  order.user_id = std::move(user_id);
  order.currency = *currencies.begin();
  order.delivery_address = input.delivery_address;
  order.notes = input.notes;
  order.created_at = std::move(created_at);
  return order;
}

nlohmann::json ToJson(const Order& order) {
  auto items = nlohmann::json::array();
  for (const auto& line : order.lines) {
    items.push_back({{"productId", line.product_id},
                     {"name", line.name},
                     {"unitPriceCents", line.unit_price_cents},
                     {"quantity", line.quantity},
                     {"lineTotalCents", line.line_total_cents}});
  }
  auto history = nlohmann::json::array();
  for (const auto& change : order.history) {
    history.push_back({{"state", change.state},
                       {"at", change.at},
                       {"by", change.by},
                       {"byRole", change.by_role},
                       {"reason", change.reason ? nlohmann::json(*change.reason) : nullptr}});
  }
  return {{"id", order.id},
          {"userId", order.user_id},
          {"status", order.status},
          {"statusHistory", std::move(history)},
          {"version", order.version},
          {"items", std::move(items)},
          {"totalCents", order.total_cents},
          {"currency", order.currency},
          {"deliveryAddress", order.delivery_address},
          {"notes", order.notes ? nlohmann::json(*order.notes) : nullptr},
          {"createdAt", order.created_at}};
}

nlohmann::json OrderCreatedEvent(const Order& order, const Customer& customer,
                                 const std::string& event_id, const std::string& correlation_id) {
  auto items = nlohmann::json::array();
  for (const auto& line : order.lines) {
    items.push_back({{"productId", line.product_id},
                     {"name", line.name},
                     {"quantity", line.quantity},
                     {"unitPriceCents", line.unit_price_cents}});
  }
  return {{"eventId", event_id},
          {"eventType", kOrderCreated},
          {"eventVersion", 1},
          {"occurredAt", order.created_at},
          {"correlationId", correlation_id},
          {"data",
           {{"orderId", order.id},
            {"userId", order.user_id},
            {"userEmail", customer.email},
            {"userName", customer.name},
            {"items", std::move(items)},
            {"totalCents", order.total_cents},
            {"currency", order.currency}}}};
}

nlohmann::json OrderStatusChangedEvent(const Transition& transition, const std::string& event_id,
                                       const std::string& correlation_id) {
  return {{"eventId", event_id},
          {"eventType", kOrderStatusChanged},
          {"eventVersion", 1},
          {"occurredAt", transition.at},
          {"correlationId", correlation_id},
          {"data",
           {{"orderId", transition.order_id},
            {"userId", transition.user_id},
            {"from", transition.from},
            {"to", transition.to},
            {"at", transition.at},
            {"reason", transition.reason ? nlohmann::json(*transition.reason) : nullptr},
            {"sequence", transition.sequence},
            {"by", {{"userId", transition.by}, {"role", transition.by_role}}},
            {"totalCents", transition.total_cents},
            {"currency", transition.currency}}}};
}

}  // namespace comanda::orders
