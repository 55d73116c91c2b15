#include "dependencies.hpp"

#include <chrono>
#include <exception>

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
                       core::metrics::Registry& registry)
    : client_{client}, breaker_{breaker}, registry_{registry} {}

void Dependency::Admit() {
  if (breaker_.Allow()) return;
  registry_
      .GetCounter("orders_dependency_calls_total", "Calls to other services by outcome",
                  {{"dependency", client_.options().name}, {"outcome", "rejected"}})
      .Inc();
  throw Unavailable(client_.options().name);
}

http::ClientResponse Dependency::Settle(http::CallResult result) {
  const auto& name = client_.options().name;
  auto record = [&](const char* outcome) {
    registry_
        .GetHistogram("orders_dependency_request_duration_seconds",
                      "Latency of calls to other services", {{"dependency", name}})
        .Observe(result.elapsed.count());
    registry_
        .GetCounter("orders_dependency_calls_total", "Calls to other services by outcome",
                    {{"dependency", name}, {"outcome", outcome}})
        .Inc();
  };
  if (result.error || !result.response) {  // a transport failure or a timeout from the client
    breaker_.RecordFailure();
    record("unreachable");
    if (result.error) std::rethrow_exception(result.error);
    throw Unavailable(name);
  }
  auto& response = *result.response;
  if (response.status >= 500) {
    breaker_.RecordFailure();
    record("error");
    core::log::Warn("dependency answered with an error",
                    {{"dependency", name}, {"status", response.status}});
    throw Unavailable(name);
  }
  breaker_.RecordSuccess();
  record("ok");
  return std::move(response);
}

http::ClientResponse Dependency::Get(std::string_view path, const http::Headers& headers) {
  Admit();
  const auto started = std::chrono::steady_clock::now();
  http::CallResult result;
  try {
    result.response = client_.Get(path, headers);
  } catch (const Error&) {
    result.error = std::current_exception();
  }
  result.elapsed = std::chrono::steady_clock::now() - started;
  return Settle(std::move(result));
}

Customer HttpLookups::ParseProfile(const http::ClientResponse& response) {
  if (response.status == 401 || response.status == 403 || response.status == 404) {
    throw Error{Errc::kUnauthorized, "users-service does not accept this token."};
  }
  const auto body = ParseBody(response);
  if (response.status != 200 || !body.is_object() || !body.contains("id") ||
      !body["id"].is_string() || !body.contains("email") || !body["email"].is_string() ||
      !body.contains("name") || !body["name"].is_string()) {
    core::log::Warn("unexpected answer from users-service", {{"status", response.status}});
    throw Unavailable("users-service");
  }
  return Customer{body["id"].get<std::string>(), body["email"].get<std::string>(),
                  body["name"].get<std::string>()};
}

std::optional<Product> HttpLookups::ParseFind(const http::ClientResponse& response,
                                              const std::string& product_id) {
  if (response.status == 404) return std::nullopt;
  auto product = response.status == 200 ? ParseProduct(ParseBody(response)) : std::nullopt;
  if (!product) {
    core::log::Warn("unexpected answer from products-service",
                    {{"status", response.status}, {"productId", product_id}});
    throw Unavailable("products-service");
  }
  return product;
}

Lookups HttpLookups::LookUp(std::string_view authorization, const std::string& user_id,
                            const std::vector<std::string>& product_ids) {
  const http::Headers auth{{"Authorization", std::string{authorization}}};
  const auto check_customer = [&](Customer customer) {
    if (customer.id != user_id) {
      throw Error{Errc::kUnauthorized, "users-service does not accept this token."};
    }
    return customer;
  };
  Lookups out;
  if (users_.breaker_state() != http::CircuitBreaker::State::kClosed ||
      products_.breaker_state() != http::CircuitBreaker::State::kClosed) {
    out.customer = check_customer(ParseProfile(users_.Get("/profile", auth)));
    for (const auto& id : product_ids)
      out.products[id] = ParseFind(products_.Get("/products/" + id), id);
    return out;
  }
  users_.Admit();
  for (std::size_t i = 0; i < product_ids.size(); ++i) products_.Admit();
  std::vector<http::Call> calls;
  calls.push_back({&users_.client(), "/profile", auth});
  for (const auto& id : product_ids) calls.push_back({&products_.client(), "/products/" + id, {}});
  auto results = http::GetAll(calls);
  std::exception_ptr first_error;
  try {
    out.customer = check_customer(ParseProfile(users_.Settle(std::move(results[0]))));
  } catch (...) {
    first_error = std::current_exception();
  }
  for (std::size_t i = 0; i < product_ids.size(); ++i) {
    try {
      out.products[product_ids[i]] =
          ParseFind(products_.Settle(std::move(results[i + 1])), product_ids[i]);
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  return out;
}

}  // namespace comanda::orders
