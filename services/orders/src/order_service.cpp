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
  log::Info("idempotent replay", {{"orderId", order->id}});
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
  const auto [customer, found] = LookUp(users_, products_, authorization, user_id, product_ids);

  const auto order = PriceOrder(input, found, core::NewUuid(), user_id, core::NowRfc3339());
  const auto event_id = core::NewUuid();
  const OutboxEvent event{event_id,
                          std::string{kOrderCreated},
                          std::string{kOrderCreatedRoutingKey},
                          OrderCreatedEvent(order, customer, event_id, request_id).dump(),
                          request_id,
                          trace::CurrentTraceparent()};
  auto result = orders_.Insert(order, key, request_hash, event);
  if (const auto* record = std::get_if<IdempotencyRecord>(&result)) {
    return Replay(user_id, *record, request_hash);  // a concurrent request with this key won
  }
  log::Info("order placed", {{"orderId", order.id},
                             {"eventId", event_id},
                             {"totalCents", order.total_cents},
                             {"lines", order.lines.size()}});
  return {std::get<Order>(std::move(result)), false};
}

std::vector<Order> OrderService::List(const std::string& user_id) {
  return orders_.List(user_id, kListLimit);
}

}  // namespace comanda::orders
