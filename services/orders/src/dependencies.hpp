#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  /// The two halves of Get for calls made in a batch (http::GetAll): Admit throws at once while
  /// the breaker refuses calls; Settle records a call's outcome and returns its response or throws.
  void Admit();
  http::ClientResponse Settle(http::CallResult result);
  const http::Client& client() const { return client_; }
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
  /// The checks of Profile on an answer of `GET /profile`.
  static Customer ParseProfile(const http::ClientResponse& response);
  Dependency& dependency() { return users_; }

 private:
  Dependency& users_;
};

/// products-service: names and prices.
class ProductsGateway {
 public:
  explicit ProductsGateway(Dependency& products) : products_{products} {}
  /// `GET /products/{id}`: nullopt on 404; core::Error{kUnavailable} when it cannot answer.
  std::optional<Product> Find(const std::string& product_id);
  /// The checks of Find on an answer of `GET /products/{id}`.
  static std::optional<Product> ParseFind(const http::ClientResponse& response,
                                          const std::string& product_id);
  Dependency& dependency() { return products_; }

 private:
  Dependency& products_;
};

/// What an order needs from the other services: the caller, and each product (nullopt: no such
/// product).
struct Lookups {
  Customer customer;
  std::map<std::string, std::optional<Product>> products;
};

/// users-service `/profile` and every `/products/{id}` at the same time: one round trip instead of
/// one per call. A customer other than `user_id` is core::Error{kUnauthorized}. Errors come in the
/// order the calls were made one after another before (users first, then the products in order),
/// and every outcome is recorded first. While a breaker is not closed, the calls go one at a time
/// as before, so that a half-open breaker's single trial call decides.
Lookups LookUp(UsersGateway& users, ProductsGateway& products, std::string_view authorization,
               const std::string& user_id, const std::vector<std::string>& product_ids);

}  // namespace comanda::orders
