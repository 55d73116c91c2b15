#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dependencies.hpp"
#include "order_repository.hpp"
#include "orders.hpp"

namespace comanda::orders {

/// The result of POST /orders: the order, and whether it is the replay of an earlier request.
struct Placed {
  Order order;
  bool replayed = false;
};

/// Places and reads orders: validation is done by the caller; this checks the user with
/// users-service, prices with products-service and writes everything in one transaction.
class OrderService {
 public:
  OrderService(OrderRepository& orders, UsersGateway& users, ProductsGateway& products)
      : orders_{orders}, users_{users}, products_{products} {}

  /// `authorization` is passed on to users-service; `key` is the validated Idempotency-Key.
  Placed Place(const std::string& user_id, std::string_view authorization, const OrderInput& input,
               const std::optional<std::string>& key, const std::string& request_id);

  std::optional<Order> Find(const std::string& user_id, const std::string& order_id) {
    return orders_.Find(user_id, order_id);
  }
  std::vector<Order> List(const std::string& user_id);

  static constexpr int kListLimit = 100;

 private:
  Placed Replay(const std::string& user_id, const IdempotencyRecord& record,
                const std::string& request_hash);

  OrderRepository& orders_;
  UsersGateway& users_;
  ProductsGateway& products_;
};

}  // namespace comanda::orders
