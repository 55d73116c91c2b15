#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

/// The OrderCreated event as notifications-service reads it: parsing, validation and wording, as
/// plain, unit-tested functions.
namespace comanda::notifications {

inline constexpr std::string_view kOrderCreated = "OrderCreated";
inline constexpr int kOrderCreatedVersion = 1;
/// Larger bodies are refused unparsed (an order has at most 50 lines).
inline constexpr std::size_t kMaxEventBytes = 256 * 1024;

/// The fields of an OrderCreated (version 1) event that a notification needs.
struct OrderCreated {
  std::string event_id;
  std::chrono::system_clock::time_point occurred_at;
  std::string correlation_id;
  std::string order_id;
  std::string user_id;
  std::string user_email;
  std::string user_name;
  std::int64_t total_cents = 0;
  std::string currency;
};

/// A message that can never be processed. `code` is stable (`MALFORMED_JSON`,
/// `UNKNOWN_EVENT_TYPE`, `UNKNOWN_EVENT_VERSION`, `INVALID_EVENT`, `TOO_LARGE`); what() says why.
class PoisonMessage : public std::runtime_error {
 public:
  PoisonMessage(std::string code, const std::string& reason)
      : std::runtime_error{reason}, code_{std::move(code)} {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

/// Parses and validates a message body against the OrderCreated v1 schema: a JSON object with
/// `eventType` "OrderCreated", `eventVersion` 1, a UUID `eventId`, an RFC 3339 `occurredAt`, and
/// `data` with UUID `orderId`/`userId`, string `userEmail`/`userName`, an `items` array, an
/// integer `totalCents` >= 0 and a currency code. Throws PoisonMessage naming every problem.
OrderCreated ParseOrderCreated(std::string_view body);

/// Money for a person: `1.234,56 EUR` (Spanish grouping, two decimals).
std::string FormatMoney(std::int64_t cents, std::string_view currency);

/// The notification's text: `📩 Pedido confirmado para el usuario <name or email>: pedido <id>,
/// total 12,34 EUR`.
std::string NotificationText(const OrderCreated& event);

}  // namespace comanda::notifications
