#include "status_events.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/time.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::notifications {
namespace {

using core::FieldReader;

constexpr core::StringRule kUuidRule{.min_length = 36, .max_length = 36, .trim = false};
constexpr core::StringRule kStateRule{.min_length = 1, .max_length = 32, .trim = false};
constexpr std::string_view kStates[] = {"CREATED",          "ACCEPTED",  "PREPARING",
                                        "OUT_FOR_DELIVERY", "DELIVERED", "CANCELLED"};

bool IsState(std::string_view state) {
  for (const auto known : kStates) {
    if (known == state) return true;
  }
  return false;
}

void Uuid(FieldReader& reader, const std::string& field, std::string& out) {
  out = reader.String(field, kUuidRule);
  if (!out.empty() && !core::IsUuid(out)) reader.Add(field, "must be a UUID");
}

void State(FieldReader& reader, const std::string& field, std::string& out) {
  out = reader.String(field, kStateRule);
  if (!out.empty() && !IsState(out)) reader.Add(field, "must be an order state");
}

}  // namespace

OrderStatusChanged ParseOrderStatusChanged(std::string_view body) {
  if (body.size() > kMaxEventBytes)
    throw PoisonMessage{"TOO_LARGE", "the message body is too large"};
  auto parsed = core::ParseJsonLimited(body);
  if (!parsed) throw PoisonMessage{"MALFORMED_JSON", "the message body is not valid JSON"};
  const auto& json = *parsed;
  if (!json.is_object()) throw PoisonMessage{"MALFORMED_JSON", "the body is not a JSON object"};
  const auto type = json.find("eventType");
  if (type == json.end() || !type->is_string() || type->get<std::string>() != kOrderStatusChanged) {
    throw PoisonMessage{"UNKNOWN_EVENT_TYPE", "eventType is not OrderStatusChanged"};
  }
  const auto version = json.find("eventVersion");
  if (version == json.end() || !version->is_number_integer() || version->get<std::int64_t>() != 1) {
    throw PoisonMessage{"UNKNOWN_EVENT_VERSION", "eventVersion of OrderStatusChanged must be 1"};
  }
  OrderStatusChanged event;
  FieldReader reader{json};
  Uuid(reader, "eventId", event.event_id);
  const auto occurred =
      reader.String("occurredAt", {.min_length = 1, .max_length = 64, .trim = false});
  if (const auto at = core::ParseRfc3339(occurred)) {
    event.occurred_at = *at;
  } else if (!occurred.empty()) {
    reader.Add("occurredAt", "must be an RFC 3339 date-time");
  }
  event.correlation_id =
      reader.OptionalString("correlationId", {.min_length = 0, .max_length = 128, .trim = false})
          .value_or("");
  const auto data = json.find("data");
  if (data == json.end() || !data->is_object()) {
    reader.Add("data", "is required and must be an object");
  } else {
    FieldReader fields{*data, "data"};
    Uuid(fields, "orderId", event.order_id);
    Uuid(fields, "userId", event.user_id);
    State(fields, "from", event.from);
    State(fields, "to", event.to);
    event.reason =
        fields.OptionalString("reason", {.min_length = 0, .max_length = 300, .trim = true});
    if (event.reason && event.reason->empty()) event.reason.reset();
    event.sequence = static_cast<int>(fields.Integer("sequence", 2, 1000).value_or(0));
    fields.MergeInto(reader);
  }
  if (!reader.errors().empty()) {
    std::string out;
    for (const auto& error : reader.errors()) {
      out += (out.empty() ? "" : "; ") + error.field + ": " + error.message;
    }
    throw PoisonMessage{"INVALID_EVENT", out};
  }
  return event;
}

bool IsCustomerFacing(std::string_view state) noexcept {
  return state == "ACCEPTED" || state == "OUT_FOR_DELIVERY" || state == "DELIVERED" ||
         state == "CANCELLED";
}

std::string ShortReference(std::string_view order_id) {
  std::string out{order_id.substr(0, 8)};
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string StatusText(const OrderStatusChanged& event) {
  std::string word = "actualizado";
  if (event.to == "ACCEPTED") word = "aceptado";
  if (event.to == "PREPARING") word = "en preparación";
  if (event.to == "OUT_FOR_DELIVERY") word = "en reparto";
  if (event.to == "DELIVERED") word = "entregado";
  if (event.to == "CANCELLED") word = "cancelado";
  auto text = "📦 Pedido " + ShortReference(event.order_id) + " " + word;
  if (event.reason) text += ": " + *event.reason;
  return text;
}

}  // namespace comanda::notifications
