#pragma once

#include <vector>

#include "comanda/http/server.hpp"
#include "handlers.hpp"

namespace comanda::orders {

/// orders-service's route table, built from injected dependencies.
class App {
 public:
  App(OrderService& orders, const auth::Verifier& verifier);

  std::vector<http::Route> Routes() const;

 private:
  CreateOrder create_;
  ListOrders list_;
  GetOrder get_;
  MoveOrder move_;
  CancelOrder cancel_;
};

}  // namespace comanda::orders
