#include "handlers.hpp"

#include "comanda/core/error.hpp"

namespace comanda::orders {

using core::Errc;
using core::Error;

http::Response CreateOrder::operator()(const http::Request& request) const {
  const auto authorization = request.Header("Authorization");
  const auto claims = verifier_.VerifyBearer(authorization);
  const auto input = ParseCreateOrder(request.Json());
  const auto key = ParseIdempotencyKey(request.Header("Idempotency-Key"));
  const auto placed = orders_.Place(claims.sub, authorization, input, key, request.request_id);
  auto response = http::Json(201, ToJson(placed.order))
                      .Header("Location", "/orders/" + placed.order.id)
                      .Header("Cache-Control", "no-store");
  if (placed.replayed) response.Header("Idempotent-Replayed", "true");
  return response;
}

http::Response ListOrders::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  auto items = nlohmann::json::array();
  for (const auto& order : orders_.List(claims.sub)) items.push_back(ToJson(order));
  return http::Json(200, {{"items", std::move(items)}}).Header("Cache-Control", "no-store");
}

http::Response GetOrder::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  const auto order = orders_.Find(claims.sub, std::string{request.Param("id")});
  if (!order) throw Error{Errc::kNotFound, "No such order."};
  return http::Json(200, ToJson(*order)).Header("Cache-Control", "no-store");
}

}  // namespace comanda::orders
