#include "lifecycle.hpp"

#include <algorithm>
#include <charconv>

#include "comanda/core/error.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::orders {
namespace {

using core::Errc;
using core::Error;

// The one forward move from each state that has one.
std::optional<std::string_view> NextOf(std::string_view from) {
  if (from == "CREATED") return "ACCEPTED";
  if (from == "ACCEPTED") return "PREPARING";
  if (from == "PREPARING") return "OUT_FOR_DELIVERY";
  if (from == "OUT_FOR_DELIVERY") return "DELIVERED";
  return std::nullopt;
}

Error Invalid(std::string_view from, std::string_view to) {
  return Error{Errc::kConflict,
               "The order is " + std::string{from} + "; it cannot move to " + std::string{to} + "."}
      .WithCode("INVALID_TRANSITION");
}

}  // namespace

const std::vector<std::string_view>& AllStatuses() {
  static const std::vector<std::string_view> kAll{"CREATED",          "ACCEPTED",  "PREPARING",
                                                  "OUT_FOR_DELIVERY", "DELIVERED", "CANCELLED"};
  return kAll;
}

bool IsStatus(std::string_view status) noexcept {
  const auto& all = AllStatuses();
  return std::find(all.begin(), all.end(), status) != all.end();
}

bool IsStaff(std::string_view role) noexcept { return role == "staff" || role == "admin"; }

void CheckTransition(std::string_view from, std::string_view to, const Actor& actor,
                     const std::optional<std::string>& reason) {
  const bool staff = IsStaff(actor.role);
  if (to == "CANCELLED") {
    if (from == "CREATED") {
      if (!staff && !actor.owner)
        throw Error{Errc::kForbidden, "Only staff may cancel this order."};
      return;
    }
    if (from == "ACCEPTED" || from == "PREPARING") {
      if (!staff) {
        throw Error{Errc::kConflict, "The order is " + std::string{from} +
                                         "; only the restaurant can cancel it now."}
            .WithCode("INVALID_TRANSITION");
      }
      if (!reason) {
        throw Error{Errc::kValidation,
                    "Cancelling an accepted order needs a reason.",
                    {{"reason", "is required to cancel an order in " + std::string{from}}}};
      }
      return;
    }
    throw Invalid(from, to);
  }
  if (!staff) throw Error{Errc::kForbidden, "Only staff may move an order on."};
  if (NextOf(from) != to) throw Invalid(from, to);
}

TransitionInput ParseTransition(const nlohmann::json& body) {
  core::FieldReader reader{body};
  TransitionInput out;
  out.status = reader.String("status", {.min_length = 1, .max_length = 32});
  if (!out.status.empty() && !IsStatus(out.status)) {
    reader.Add("status",
               "must be one of CREATED, ACCEPTED, PREPARING, OUT_FOR_DELIVERY, DELIVERED, "
               "CANCELLED");
  }
  out.reason = reader.OptionalString("reason", {.min_length = 0, .max_length = kMaxReason});
  if (out.reason && out.reason->empty()) out.reason.reset();
  reader.ThrowIfInvalid();
  return out;
}

std::optional<std::string> ParseCancelReason(const nlohmann::json& body) {
  core::FieldReader reader{body};
  auto reason = reader.OptionalString("reason", {.min_length = 0, .max_length = kMaxReason});
  reader.ThrowIfInvalid();
  if (reason && reason->empty()) reason.reset();
  return reason;
}

int ParseIfMatch(std::string_view header) {
  auto value = core::TrimAscii(header);
  if (value.starts_with("W/")) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  int version = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || version < 1) {
    throw Error{Errc::kValidation,
                header.empty() ? "Moving an order needs If-Match with its version."
                               : "The If-Match header is invalid.",
                {{"If-Match", "must be the order's version or ETag, e.g. \"2\""}}}
        .WithCode("PRECONDITION_REQUIRED");
  }
  return version;
}

std::string ETagFor(int version) {
  // Built in place: GCC 12 at -O3 reports a false -Wrestrict on `"\"" + string&&`.
  std::string tag{'"'};
  tag += std::to_string(version);
  tag += '"';
  return tag;
}

std::vector<std::string> ParseStatusFilter(std::optional<std::string_view> query) {
  std::vector<std::string> out;
  if (!query) return out;
  std::string_view rest = *query;
  while (true) {
    const auto comma = rest.find(',');
    const auto part = core::TrimAscii(rest.substr(0, comma));
    if (!IsStatus(part)) {
      throw Error{Errc::kValidation,
                  "Unknown order status in the filter.",
                  {{"status", "must be a comma-separated list of order statuses"}}};
    }
    if (std::find(out.begin(), out.end(), part) == out.end()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string EncodeCursor(std::int64_t seq) { return std::to_string(seq); }

std::int64_t DecodeCursor(std::string_view cursor) {
  std::int64_t seq = 0;
  const auto [end, error] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), seq);
  if (cursor.empty() || error != std::errc{} || end != cursor.data() + cursor.size() || seq < 1) {
    throw Error{Errc::kValidation, "The cursor is invalid.", {{"cursor", "is not a cursor"}}};
  }
  return seq;
}

}  // namespace comanda::orders
