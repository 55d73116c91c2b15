#pragma once

#include "comanda/auth/token.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"
#include "order_service.hpp"

namespace comanda::orders {

/// POST /orders
class CreateOrder final {
 public:
  CreateOrder(OrderService& orders, const auth::Verifier& verifier)
      : orders_{orders}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  OrderService& orders_;
  const auth::Verifier& verifier_;
};

/// GET /orders
class ListOrders final {
 public:
  ListOrders(OrderService& orders, const auth::Verifier& verifier)
      : orders_{orders}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  OrderService& orders_;
  const auth::Verifier& verifier_;
};

/// GET /orders/:id
class GetOrder final {
 public:
  GetOrder(OrderService& orders, const auth::Verifier& verifier)
      : orders_{orders}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  OrderService& orders_;
  const auth::Verifier& verifier_;
};

/// PATCH /orders/:id (staff)
class MoveOrder final {
 public:
  MoveOrder(OrderService& orders, const auth::Verifier& verifier)
      : orders_{orders}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  OrderService& orders_;
  const auth::Verifier& verifier_;
};

/// POST /orders/:id/cancel (the owner)
class CancelOrder final {
 public:
  CancelOrder(OrderService& orders, const auth::Verifier& verifier)
      : orders_{orders}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  OrderService& orders_;
  const auth::Verifier& verifier_;
};

}  // namespace comanda::orders
