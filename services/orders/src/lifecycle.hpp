#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The order's states and who may move it between them: plain functions, unit-tested.
namespace comanda::orders {

inline constexpr std::string_view kOrderStatusChanged = "OrderStatusChanged";
inline constexpr std::string_view kOrderStatusChangedRoutingKey = "order.status_changed";
inline constexpr std::size_t kMaxReason = 300;

/// Every state, in the order of a delivered order's life (CANCELLED last).
const std::vector<std::string_view>& AllStatuses();
bool IsStatus(std::string_view status) noexcept;

/// Staff move orders on; the admin is staff too.
bool IsStaff(std::string_view role) noexcept;

/// Who asks for a move.
struct Actor {
  std::string user_id;
  std::string role;
  bool owner = false;  // the order is theirs
};

/// Throws core::Error: kForbidden when `actor` may not make this move, kConflict
/// (INVALID_TRANSITION, naming the current state) when no one may, kValidation when a staff cancel
/// of an accepted or preparing order has no reason.
void CheckTransition(std::string_view from, std::string_view to, const Actor& actor,
                     const std::optional<std::string>& reason);

/// A validated `PATCH /orders/{id}` body.
struct TransitionInput {
  std::string status;
  std::optional<std::string> reason;  // trimmed; nullopt when absent, null or blank
};
TransitionInput ParseTransition(const nlohmann::json& body);
/// The optional body of `POST /orders/{id}/cancel`: `{"reason": "..."}` or nothing.
std::optional<std::string> ParseCancelReason(const nlohmann::json& body);

/// The version named by `If-Match`: `3`, `"3"` or `W/"3"`. Throws core::Error{kValidation} when
/// absent or malformed (PRECONDITION_REQUIRED).
int ParseIfMatch(std::string_view header);
/// The order's ETag for a version: `"3"`.
std::string ETagFor(int version);

/// `?status=A,B` for the list: validated, without duplicates; empty when absent.
std::vector<std::string> ParseStatusFilter(std::optional<std::string_view> query);
/// The opaque list cursor (the last item's position) and back.
std::string EncodeCursor(std::int64_t seq);
std::int64_t DecodeCursor(std::string_view cursor);  // throws core::Error{kValidation}

}  // namespace comanda::orders
