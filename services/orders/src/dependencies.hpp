#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "comanda/core/metrics.hpp"
#include "comanda/http/circuit_breaker.hpp"
#include "comanda/http/client.hpp"
#include "orders.hpp"

namespace comanda::orders {

/// One downstream service: its HTTP client (with the call deadline), a circuit breaker and a
/// latency histogram. A refused call (breaker open), a transport failure, a timeout and a 5xx all
/// throw core::Error{kUnavailable}; the last three count as breaker failures.
class Dependency {
 public:
  Dependency(const http::Client& client, http::CircuitBreaker::Options breaker,
             metrics::Registry& registry);

  http::ClientResponse Get(std::string_view path, const http::Headers& headers = {});
  http::CircuitBreaker::State breaker_state() const { return breaker_.state(); }

 private:
  const http::Client& client_;
  http::CircuitBreaker breaker_;
  metrics::Registry& registry_;
};

/// users-service: who the caller is.
class UsersGateway {
 public:
  explicit UsersGateway(Dependency& users) : users_{users} {}
  /// `GET /profile` with the caller's Authorization header. 401/403/404 there:
  /// core::Error{kUnauthorized}; anything unexpected: core::Error{kUnavailable}.
  Customer Profile(std::string_view authorization);

 private:
  Dependency& users_;
};

/// products-service: names and prices.
class ProductsGateway {
 public:
  explicit ProductsGateway(Dependency& products) : products_{products} {}
  /// `GET /products/{id}`: nullopt on 404; core::Error{kUnavailable} when it cannot answer.
  std::optional<Product> Find(const std::string& product_id);

 private:
  Dependency& products_;
};

}  // namespace comanda::orders
