#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The orders domain: input rules, pricing and the event, as plain functions unit-tested without a
/// server, a database or the other services.
namespace comanda::orders {

inline constexpr std::size_t kMaxLines = 50;
inline constexpr int kMaxQuantity = 99;
inline constexpr std::size_t kMaxAddress = 300;
inline constexpr std::size_t kMaxNotes = 500;
inline constexpr std::size_t kMaxIdempotencyKey = 255;

/// One product line after merging duplicates.
struct LineInput {
  std::string product_id;  // lower-case UUID
  int quantity = 0;
  std::size_t index = 0;  // the first position of this product in the request's `items`
};

/// A validated `POST /orders` body.
struct OrderInput {
  std::vector<LineInput> lines;      // in the order of first appearance
  std::string delivery_address;      // trimmed
  std::optional<std::string> notes;  // trimmed; nullopt when absent, null or blank
};

/// What products-service says about one product.
struct Product {
  std::string id;
  std::string name;
  std::int64_t price_cents = 0;
  std::string currency;
  bool available = false;
};

struct OrderLine {
  std::string product_id;
  std::string name;
  std::int64_t unit_price_cents = 0;
  int quantity = 0;
  std::int64_t line_total_cents = 0;
};

/// One state an order has been in: `CREATED` when placed, then one per transition.
struct StatusChange {
  std::string state;
  std::string at;       // RFC 3339 UTC
  std::string by;       // the user id of who made the move (the customer for CREATED)
  std::string by_role;  // customer | staff | admin
  std::optional<std::string> reason;
};

struct Order {
  std::string id;
  std::string user_id;
  std::string status = "CREATED";
  std::vector<OrderLine> lines;
  std::int64_t total_cents = 0;
  std::string currency;
  std::string delivery_address;
  std::optional<std::string> notes;
  std::string created_at;  // RFC 3339 UTC
  int version = 1;         // 1 + the number of transitions; the ETag and the event sequence
  std::int64_t seq = 0;    // the position newest-first lists are ordered by (the cursor)
  std::vector<StatusChange> history;  // oldest first, CREATED included
};

/// The caller as users-service describes them (`GET /profile`).
struct Customer {
  std::string id;
  std::string email;
  std::string name;
};

/// Validates a `POST /orders` body and merges lines of the same product; throws
/// core::Error{kValidation} naming every bad field.
OrderInput ParseCreateOrder(const nlohmann::json& body);

/// nullopt for an absent key; throws core::Error{kValidation} unless it is 1 to 255 printable
/// ASCII characters.
std::optional<std::string> ParseIdempotencyKey(std::string_view header);

/// A SHA-256 (hex) of the normalised input: the same order written differently hashes the same.
std::string RequestHash(const OrderInput& input);

/// Prices the input with the catalog's answers (nullopt: unknown product). Throws
/// core::Error{kUnprocessable, PRODUCT_UNAVAILABLE} naming each unknown or unavailable line, or
/// CURRENCY_MISMATCH when the products are priced in different currencies.
Order PriceOrder(const OrderInput& input,
                 const std::map<std::string, std::optional<Product>>& found, std::string order_id,
                 std::string user_id, std::string created_at);

/// Parses a products-service Product; nullopt when a field is missing or of the wrong type.
std::optional<Product> ParseProduct(const nlohmann::json& body);

/// The order as every answer shows it, with `status`, `statusHistory` and `version`.
nlohmann::json ToJson(const Order& order);

inline constexpr std::string_view kOrderCreated = "OrderCreated";
inline constexpr std::string_view kOrderCreatedRoutingKey = "order.created";

/// The `OrderCreated` event body of the contract.
nlohmann::json OrderCreatedEvent(const Order& order, const Customer& customer,
                                 const std::string& event_id, const std::string& correlation_id);

/// A transition about to be written: the `OrderStatusChanged` event's facts.
struct Transition {
  std::string order_id;
  std::string user_id;  // the order's owner
  std::string from;
  std::string to;
  std::string at;
  std::string by;
  std::string by_role;
  std::optional<std::string> reason;
  int sequence = 0;  // the order's version after this move
  std::int64_t total_cents = 0;
  std::string currency;
};

/// The `OrderStatusChanged` event body (docs/events/order-status-changed.schema.json).
nlohmann::json OrderStatusChangedEvent(const Transition& transition, const std::string& event_id,
                                       const std::string& correlation_id);

}  // namespace comanda::orders
