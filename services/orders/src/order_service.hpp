#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dependencies.hpp"
#include "lifecycle.hpp"
#include "order_repository.hpp"
#include "orders.hpp"

namespace comanda::orders {

/// The result of POST /orders: the order, and whether it is the replay of an earlier request.
struct Placed {
  Order order;
  bool replayed = false;
};

/// Who calls, from the verified token.
struct Caller {
  std::string user_id;
  std::string role;
};

/// One page of a list: `next_cursor` is set when more may follow.
struct OrderPage {
  std::vector<Order> orders;
  std::optional<std::string> next_cursor;
};

/// Places and reads orders: validation is done by the caller; this checks the user with
/// users-service, prices with products-service and writes everything in one transaction.
class OrderService {
 public:
  OrderService(OrderStore& orders, OrderLookups& lookups) : orders_{orders}, lookups_{lookups} {}

  /// `authorization` is passed on to users-service; `key` is the validated Idempotency-Key.
  Placed Place(const std::string& user_id, std::string_view authorization, const OrderInput& input,
               const std::optional<std::string>& key, const std::string& request_id);

  std::optional<Order> Find(const std::string& user_id, const std::string& order_id) {
    return orders_.Find(user_id, order_id);
  }
  std::vector<Order> List(const std::string& user_id);

  /// The caller's own order, or any order for staff.
  std::optional<Order> FindFor(const Caller& caller, const std::string& order_id);
  /// Staff list everyone's orders when they filter by status; anyone else only their own.
  OrderPage ListPage(const Caller& caller, const std::vector<std::string>& statuses,
                     std::optional<std::int64_t> before_seq, int limit);
  /// PATCH /orders/{id}: staff move an order at `expected_version` (If-Match). Throws
  /// core::Error: 403 not staff, 404 unknown, 409 VERSION_CONFLICT or INVALID_TRANSITION.
  Order Move(const Caller& caller, const std::string& order_id, const TransitionInput& input,
             int expected_version, const std::string& request_id);
  /// POST /orders/{id}/cancel: the owner cancels while the order is CREATED (404 for another
  /// user's order; `expected_version` is checked when given).
  Order Cancel(const Caller& caller, const std::string& order_id,
               const std::optional<std::string>& reason, std::optional<int> expected_version,
               const std::string& request_id);

  static constexpr int kListLimit = 100;

 private:
  Placed Replay(const std::string& user_id, const IdempotencyRecord& record,
                const std::string& request_hash);

  Order Apply(const Caller& caller, const std::string& order_id, const std::string& to,
              const std::optional<std::string>& reason, std::optional<int> expected_version,
              bool owner_only, const std::string& request_id);

  OrderStore& orders_;
  OrderLookups& lookups_;
};

}  // namespace comanda::orders
