#include "events.hpp"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/time.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::notifications {
namespace {

using core::FieldReader;
using core::StringRule;

constexpr StringRule kEmailRule{.min_length = 1, .max_length = 254, .trim = true};
// A name may be empty: the notification then addresses the user by email.
constexpr StringRule kNameRule{.min_length = 0, .max_length = 200, .trim = true};
constexpr StringRule kCurrencyRule{.min_length = 3, .max_length = 3, .trim = false};
constexpr StringRule kCorrelationRule{.min_length = 0, .max_length = 128, .trim = false};

std::string Describe(const std::vector<core::FieldError>& errors) {
  std::string out;
  for (const auto& error : errors) {
    out += (out.empty() ? "" : "; ") + error.field + ": " + error.message;
  }
  return out;
}

void RequireUuid(FieldReader& reader, const std::string& field, std::string& value) {
  if (!value.empty() && !core::IsUuid(value)) reader.Add(field, "must be a UUID");
}

}  // namespace

OrderCreated ParseOrderCreated(std::string_view body) {
  if (body.size() > kMaxEventBytes) {
    throw PoisonMessage{"TOO_LARGE",
                        "the message body is over " + std::to_string(kMaxEventBytes) + " bytes"};
  }
  auto parsed = core::ParseJsonLimited(body);
  if (!parsed) throw PoisonMessage{"MALFORMED_JSON", "the message body is not valid JSON"};
  const auto& json = *parsed;
  if (!json.is_object()) {
    throw PoisonMessage{"MALFORMED_JSON", "the message body is not a JSON object"};
  }
  const auto type = json.find("eventType");
  if (type == json.end() || !type->is_string()) {
    throw PoisonMessage{"INVALID_EVENT", "eventType: is required and must be a string"};
  }
  if (type->get<std::string>() != kOrderCreated) {
    throw PoisonMessage{"UNKNOWN_EVENT_TYPE",
                        "unknown eventType " +
                            type->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  }
  const auto version = json.find("eventVersion");
  if (version == json.end() || !version->is_number_integer()) {
    throw PoisonMessage{"INVALID_EVENT", "eventVersion: is required and must be an integer"};
  }
  if (version->get<std::int64_t>() != kOrderCreatedVersion) {
    throw PoisonMessage{"UNKNOWN_EVENT_VERSION", "unknown eventVersion " +
                                                     std::to_string(version->get<std::int64_t>()) +
                                                     " of OrderCreated (1 is known)"};
  }

  OrderCreated event;
  FieldReader reader{json};
  event.event_id = reader.String("eventId", {.min_length = 36, .max_length = 36, .trim = false});
  RequireUuid(reader, "eventId", event.event_id);
  const auto occurred =
      reader.String("occurredAt", {.min_length = 1, .max_length = 64, .trim = false});
  if (!occurred.empty()) {
    if (const auto at = core::ParseRfc3339(occurred)) {
      event.occurred_at = *at;
    } else {
      reader.Add("occurredAt", "must be an RFC 3339 date-time");
    }
  }
  event.correlation_id = reader.OptionalString("correlationId", kCorrelationRule).value_or("");
  const auto data = json.find("data");
  if (data == json.end() || !data->is_object()) {
    reader.Add("data", "is required and must be an object");
  } else {
    FieldReader fields{*data, "data"};
    event.order_id = fields.String("orderId", {.min_length = 36, .max_length = 36, .trim = false});
    RequireUuid(fields, "orderId", event.order_id);
    event.user_id = fields.String("userId", {.min_length = 36, .max_length = 36, .trim = false});
    RequireUuid(fields, "userId", event.user_id);
    event.user_email = fields.String("userEmail", kEmailRule);
    event.user_name = fields.String("userName", kNameRule);
    fields.Array("items", 0, 1000);
    event.total_cents = fields.Integer("totalCents", 0, INT64_MAX).value_or(0);
    event.currency = fields.String("currency", kCurrencyRule);
    if (!event.currency.empty() && !std::all_of(event.currency.begin(), event.currency.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; })) {
      fields.Add("currency", "must be an ISO 4217 code such as EUR");
    }
    fields.MergeInto(reader);
  }
  if (!reader.errors().empty()) throw PoisonMessage{"INVALID_EVENT", Describe(reader.errors())};
  return event;
}

std::string FormatMoney(std::int64_t cents, std::string_view currency) {
  const bool negative = cents < 0;
  const auto magnitude =
      negative ? -static_cast<unsigned long long>(cents) : static_cast<unsigned long long>(cents);
  const auto whole = std::to_string(magnitude / 100);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += '.';
    grouped += whole[i];
  }
  const auto rest = magnitude % 100;
  return (negative ? "-" : "") + grouped + ',' + (rest < 10 ? "0" : "") + std::to_string(rest) +
         ' ' + std::string{currency};
}

std::string NotificationText(const OrderCreated& event) {
  const auto name = core::TrimAscii(event.user_name);
  return "📩 Pedido confirmado para el usuario " +
         std::string{name.empty() ? core::TrimAscii(event.user_email) : name} + ": pedido " +
         event.order_id + ", total " + FormatMoney(event.total_cents, event.currency);
}

}  // namespace comanda::notifications
