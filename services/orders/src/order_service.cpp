#include "order_service.hpp"

#include <map>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"
#include "comanda/core/trace.hpp"

namespace comanda::orders {

using core::Errc;
using core::Error;

Placed OrderService::Replay(const std::string& user_id, const IdempotencyRecord& record,
                            const std::string& request_hash) {
  if (record.request_hash != request_hash) {
    throw Error{Errc::kUnprocessable,
                "This Idempotency-Key was already used with a different request."}
        .WithCode("IDEMPOTENCY_KEY_REUSED");
  }
  auto order = orders_.Find(user_id, record.order_id);
  if (!order) throw std::runtime_error{"idempotency record without its order"};
  core::log::Info("idempotent replay", {{"orderId", order->id}});
  return {std::move(*order), true};
}

Placed OrderService::Place(const std::string& user_id, std::string_view authorization,
                           const OrderInput& input, const std::optional<std::string>& key,
                           const std::string& request_id) {
  const auto request_hash = RequestHash(input);
  // A replay answers from the database alone: no new calls, and the first prices stand.
  if (key) {
    if (const auto record = orders_.FindIdempotency(user_id, *key)) {
      return Replay(user_id, *record, request_hash);
    }
  }

  // The users call and every product lookup go out at the same time.
  std::vector<std::string> product_ids;
  for (const auto& line : input.lines) product_ids.push_back(line.product_id);
  const auto [customer, found] = lookups_.LookUp(authorization, user_id, product_ids);

  auto order = PriceOrder(input, found, core::NewUuid(), user_id, core::NowRfc3339());
  order.history.push_back({"CREATED", order.created_at, user_id, "customer", std::nullopt});
  const auto event_id = core::NewUuid();
  const OutboxEvent event{event_id,
                          std::string{kOrderCreated},
                          std::string{kOrderCreatedRoutingKey},
                          OrderCreatedEvent(order, customer, event_id, request_id).dump(),
                          request_id,
                          core::trace::CurrentTraceparent()};
  auto result = orders_.Insert(order, key, request_hash, event);
  if (const auto* record = std::get_if<IdempotencyRecord>(&result)) {
    return Replay(user_id, *record, request_hash);  // a concurrent request with this key won
  }
  core::log::Info("order placed", {{"orderId", order.id},
                                   {"eventId", event_id},
                                   {"totalCents", order.total_cents},
                                   {"lines", order.lines.size()}});
  return {std::get<Order>(std::move(result)), false};
}

std::vector<Order> OrderService::List(const std::string& user_id) {
  return orders_.List(user_id, kListLimit);
}

std::optional<Order> OrderService::FindFor(const Caller& caller, const std::string& order_id) {
  if (IsStaff(caller.role)) return orders_.FindAny(order_id);
  return orders_.Find(caller.user_id, order_id);
}

OrderPage OrderService::ListPage(const Caller& caller, const std::vector<std::string>& statuses,
                                 std::optional<std::int64_t> before_seq, int limit) {
  // Staff see everyone's orders when they ask for states (the board); a plain GET /orders stays
  // the caller's own history, as the contract says.
  const bool everyone = IsStaff(caller.role) && !statuses.empty();
  OrderPage page;
  // One more than asked tells whether another page exists.
  page.orders = orders_.ListFiltered(everyone ? std::nullopt : std::optional{caller.user_id},
                                     statuses, before_seq, limit + 1);
  if (page.orders.size() > static_cast<std::size_t>(limit)) {
    page.orders.resize(static_cast<std::size_t>(limit));
    page.next_cursor = EncodeCursor(page.orders.back().seq);
  }
  return page;
}

Order OrderService::Apply(const Caller& caller, const std::string& order_id, const std::string& to,
                          const std::optional<std::string>& reason,
                          std::optional<int> expected_version, bool owner_only,
                          const std::string& request_id) {
  std::string event_id;
  auto moved = orders_.Move(order_id, [&](const Order& order, Transition& transition) {
    const bool owner = order.user_id == caller.user_id;
    if (owner_only && !owner) throw Error{Errc::kNotFound, "No such order."};
    if (expected_version && *expected_version != order.version) {
      throw Error{Errc::kConflict, "The order has changed: it is " + order.status + " at version " +
                                       std::to_string(order.version) + ". Reload it and try again."}
          .WithCode("VERSION_CONFLICT");
    }
    CheckTransition(order.status, to, {caller.user_id, caller.role, owner}, reason);
    transition = {order.id,
                  order.user_id,
                  order.status,
                  to,
                  core::NowRfc3339(),
                  caller.user_id,
                  owner && !IsStaff(caller.role) ? "customer" : caller.role,
                  reason,
                  order.version + 1,
                  order.total_cents,
                  order.currency};
    event_id = core::NewUuid();
    return std::optional<OutboxEvent>{OutboxEvent{
        event_id, std::string{kOrderStatusChanged}, std::string{kOrderStatusChangedRoutingKey},
        OrderStatusChangedEvent(transition, event_id, request_id).dump(), request_id,
        core::trace::CurrentTraceparent()}};
  });
  if (!moved) throw Error{Errc::kNotFound, "No such order."};
  core::log::Info("order status changed", {{"orderId", moved->id},
                                           {"eventId", event_id},
                                           {"status", moved->status},
                                           {"version", moved->version}});
  return std::move(*moved);
}

Order OrderService::Move(const Caller& caller, const std::string& order_id,
                         const TransitionInput& input, int expected_version,
                         const std::string& request_id) {
  if (!IsStaff(caller.role)) throw Error{Errc::kForbidden, "Only staff may move an order on."};
  return Apply(caller, order_id, input.status, input.reason, expected_version, false, request_id);
}

Order OrderService::Cancel(const Caller& caller, const std::string& order_id,
                           const std::optional<std::string>& reason,
                           std::optional<int> expected_version, const std::string& request_id) {
  return Apply(caller, order_id, "CANCELLED", reason, expected_version, true, request_id);
}

}  // namespace comanda::orders
