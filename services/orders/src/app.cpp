#include "app.hpp"

namespace comanda::orders {

App::App(OrderService& orders, const auth::Verifier& verifier)
    : create_{orders, verifier},
      list_{orders, verifier},
      get_{orders, verifier},
      move_{orders, verifier},
      cancel_{orders, verifier} {}

std::vector<http::Route> App::Routes() const {
  return {
      {"POST", "/orders", create_},
      {"GET", "/orders", list_},
      {"GET", "/orders/:id", get_},
      {"PATCH", "/orders/:id", move_},
      {"POST", "/orders/:id/cancel", cancel_},
  };
}

}  // namespace comanda::orders
