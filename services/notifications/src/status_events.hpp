#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "events.hpp"

/// The OrderStatusChanged event (issue 16) as notifications-service reads it.
namespace comanda::notifications {

inline constexpr std::string_view kOrderStatusChanged = "OrderStatusChanged";
inline constexpr std::string_view kOrderStatusChangedKey = "order.status_changed";

/// The fields of an OrderStatusChanged (version 1) event that a notification needs.
struct OrderStatusChanged {
  std::string event_id;
  std::chrono::system_clock::time_point occurred_at;
  std::string correlation_id;
  std::string order_id;
  std::string user_id;
  std::string from;
  std::string to;
  std::optional<std::string> reason;
  int sequence = 0;  // the order's version after the move: 2 for the first move
};

/// Parses and validates an OrderStatusChanged v1 body; throws PoisonMessage naming every problem.
OrderStatusChanged ParseOrderStatusChanged(std::string_view body);

/// True for the states a customer is told about: ACCEPTED, OUT_FOR_DELIVERY, DELIVERED, CANCELLED.
bool IsCustomerFacing(std::string_view state) noexcept;

/// The order's short reference the UI shows: the first 8 characters of its id, upper-case.
std::string ShortReference(std::string_view order_id);

/// The notification's (Spanish) text, e.g. `📦 Pedido 1A2B3C4D aceptado`.
std::string StatusText(const OrderStatusChanged& event);

}  // namespace comanda::notifications
