#include "dependencies.hpp"

#include <chrono>

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"

namespace comanda::orders {
namespace {

using core::Errc;
using core::Error;

Error Unavailable(const std::string& name) {
  return Error{Errc::kUnavailable, name + " is unavailable."};
}

nlohmann::json ParseBody(const http::ClientResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

Dependency::Dependency(const http::Client& client, http::CircuitBreaker::Options breaker,
                       metrics::Registry& registry)
    : client_{client}, breaker_{breaker}, registry_{registry} {}

http::ClientResponse Dependency::Get(std::string_view path, const http::Headers& headers) {
  const auto& name = client_.options().name;
  if (!breaker_.Allow()) {
    registry_
        .GetCounter("orders_dependency_calls_total", "Calls to other services by outcome",
                    {{"dependency", name}, {"outcome", "rejected"}})
        .Inc();
    throw Unavailable(name);
  }
  const auto started = std::chrono::steady_clock::now();
  auto record = [&](const char* outcome) {
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
    registry_
        .GetHistogram("orders_dependency_request_duration_seconds",
                      "Latency of calls to other services", {{"dependency", name}})
        .Observe(seconds.count());
    registry_
        .GetCounter("orders_dependency_calls_total", "Calls to other services by outcome",
                    {{"dependency", name}, {"outcome", outcome}})
        .Inc();
  };
  http::ClientResponse response;
  try {
    response = client_.Get(path, headers);
  } catch (const Error&) {  // a transport failure or a timeout from the client
    breaker_.RecordFailure();
    record("unreachable");
    throw;
  }
  if (response.status >= 500) {
    breaker_.RecordFailure();
    record("error");
    log::Warn("dependency answered with an error",
              {{"dependency", name}, {"status", response.status}});
    throw Unavailable(name);
  }
  breaker_.RecordSuccess();
  record("ok");
  return response;
}

Customer UsersGateway::Profile(std::string_view authorization) {
  const auto response = users_.Get("/profile", {{"Authorization", std::string{authorization}}});
  if (response.status == 401 || response.status == 403 || response.status == 404) {
    throw Error{Errc::kUnauthorized, "users-service does not accept this token."};
  }
  const auto body = ParseBody(response);
  if (response.status != 200 || !body.is_object() || !body.contains("id") ||
      !body["id"].is_string() || !body.contains("email") || !body["email"].is_string() ||
      !body.contains("name") || !body["name"].is_string()) {
    log::Warn("unexpected answer from users-service", {{"status", response.status}});
    throw Unavailable("users-service");
  }
  return Customer{body["id"].get<std::string>(), body["email"].get<std::string>(),
                  body["name"].get<std::string>()};
}

std::optional<Product> ProductsGateway::Find(const std::string& product_id) {
  const auto response = products_.Get("/products/" + product_id);
  if (response.status == 404) return std::nullopt;
  auto product = response.status == 200 ? ParseProduct(ParseBody(response)) : std::nullopt;
  if (!product) {
    log::Warn("unexpected answer from products-service",
              {{"status", response.status}, {"productId", product_id}});
    throw Unavailable("products-service");
  }
  return product;
}

}  // namespace comanda::orders
