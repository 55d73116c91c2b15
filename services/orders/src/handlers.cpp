#include "handlers.hpp"

#include <charconv>

#include "comanda/core/error.hpp"
#include "lifecycle.hpp"

namespace comanda::orders {

using core::Errc;
using core::Error;

namespace {

// The order with its version as ETag (If-Match takes either).
http::Response OrderAnswer(int status, const Order& order) {
  return http::Json(status, ToJson(order))
      .Header("ETag", ETagFor(order.version))
      .Header("Cache-Control", "no-store");
}

int ParseLimit(std::optional<std::string_view> text) {
  if (!text) return OrderService::kListLimit;
  int limit = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (text->empty() || error != std::errc{} || end != text->data() + text->size() || limit < 1 ||
      limit > OrderService::kListLimit) {
    throw Error{
        Errc::kValidation,
        "The limit is invalid.",
        {{"limit", "must be an integer from 1 to " + std::to_string(OrderService::kListLimit)}}};
  }
  return limit;
}

}  // namespace

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
  const auto statuses = ParseStatusFilter(request.Query("status"));
  const auto cursor = request.Query("cursor");
  const auto before = cursor ? std::optional{DecodeCursor(*cursor)} : std::nullopt;
  const auto page = orders_.ListPage({claims.sub, claims.role}, statuses, before,
                                     ParseLimit(request.Query("limit")));
  auto items = nlohmann::json::array();
  for (const auto& order : page.orders) items.push_back(ToJson(order));
  // `nextCursor` only when another page follows: the last page is the contract's `{"items":
  // [...]}`.
  nlohmann::json body{{"items", std::move(items)}};
  if (page.next_cursor) body["nextCursor"] = *page.next_cursor;
  return http::Json(200, body).Header("Cache-Control", "no-store");
}

http::Response GetOrder::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  const auto order = orders_.FindFor({claims.sub, claims.role}, std::string{request.Param("id")});
  if (!order) throw Error{Errc::kNotFound, "No such order."};
  return OrderAnswer(200, *order);
}

http::Response MoveOrder::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  if (!IsStaff(claims.role)) throw Error{Errc::kForbidden, "Only staff may move an order on."};
  const auto input = ParseTransition(request.Json());
  const auto version = ParseIfMatch(request.Header("If-Match"));
  const auto order = orders_.Move({claims.sub, claims.role}, std::string{request.Param("id")},
                                  input, version, request.request_id);
  return OrderAnswer(200, order);
}

http::Response CancelOrder::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  const auto reason = request.body.empty() ? std::nullopt : ParseCancelReason(request.Json());
  const auto if_match = request.Header("If-Match");
  const auto version = if_match.empty() ? std::nullopt : std::optional{ParseIfMatch(if_match)};
  const auto order = orders_.Cancel({claims.sub, claims.role}, std::string{request.Param("id")},
                                    reason, version, request.request_id);
  return OrderAnswer(200, order);
}

}  // namespace comanda::orders
