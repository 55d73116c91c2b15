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
             core::metrics::Registry& registry);

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
  core::metrics::Registry& registry_;
};

/// What an order needs from the other services: the caller, and each product (nullopt: no such
/// product).
struct Lookups {
  Customer customer;
  std::map<std::string, std::optional<Product>> products;
};

/// The one way OrderService reaches users- and products-service (a fake in unit tests).
class OrderLookups {
 public:
  virtual ~OrderLookups() = default;
  /// The caller (users-service `GET /profile` with `authorization`; a customer other than
  /// `user_id`, or 401/403/404 there, is core::Error{kUnauthorized}) and each product
  /// (`GET /products/{id}`). A service that cannot answer is core::Error{kUnavailable}.
  virtual Lookups LookUp(std::string_view authorization, const std::string& user_id,
                         const std::vector<std::string>& product_ids) = 0;
};

/// OrderLookups over HTTP. Every call goes out at the same time: one round trip instead of one
/// per call. Errors come in the order the calls were made one after another before (users first,
/// then the products in order), and every outcome is recorded first. While a breaker is not
/// closed, the calls go one at a time, so that a half-open breaker's single trial call decides.
class HttpLookups final : public OrderLookups {
 public:
  HttpLookups(Dependency& users, Dependency& products) : users_{users}, products_{products} {}
  Lookups LookUp(std::string_view authorization, const std::string& user_id,
                 const std::vector<std::string>& product_ids) override;

  /// The checks on an answer of users-service `GET /profile`.
  static Customer ParseProfile(const http::ClientResponse& response);
  /// The checks on an answer of `GET /products/{id}`: nullopt on 404.
  static std::optional<Product> ParseFind(const http::ClientResponse& response,
                                          const std::string& product_id);

 private:
  Dependency& users_;
  Dependency& products_;
};

}  // namespace comanda::orders
