#include "events.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/validate.hpp"
#include "comanda/http/request.hpp"

namespace comanda::notifications {
namespace {

using core::FieldReader;
using core::StringRule;

constexpr StringRule kEmailRule{1, 254, true, false, false};
// A name may be empty: the notification then addresses the user by email.
constexpr StringRule kNameRule{0, 200, true, false, false};
constexpr StringRule kCurrencyRule{3, 3, false, false, false};
constexpr StringRule kCorrelationRule{0, 128, false, false, false};

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

bool Digits(std::string_view text, std::size_t from, std::size_t count, int& out) {
  if (from + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 20 || !Digits(text, 0, 4, y) || text[4] != '-' || !Digits(text, 5, 2, mo) ||
      text[7] != '-' || !Digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !Digits(text, 11, 2, h) || text[13] != ':' || !Digits(text, 14, 2, mi) || text[16] != ':' ||
      !Digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;  // 60: a leap second
  std::size_t i = 19;
  microseconds fraction{0};
  if (i < text.size() && text[i] == '.') {
    ++i;
    const auto start = i;
    std::int64_t micros = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (i - start < 6) micros = micros * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;
    for (auto n = i - start; n < 6; ++n) micros *= 10;
    fraction = microseconds{micros};
  }
  if (i >= text.size()) return std::nullopt;
  minutes offset{0};
  if (text[i] == 'Z' || text[i] == 'z') {
    ++i;
  } else if (text[i] == '+' || text[i] == '-') {
    int oh = 0, om = 0;
    if (!Digits(text, i + 1, 2, oh) || i + 3 >= text.size() || text[i + 3] != ':' ||
        !Digits(text, i + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = minutes{(text[i] == '-' ? -1 : 1) * (oh * 60 + om)};
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  const auto time =
      sys_days{date} + hours{h} + minutes{mi} + seconds{std::min(s, 59)} + fraction - offset;
  return time_point_cast<system_clock::duration>(time);
}

OrderCreated ParseOrderCreated(std::string_view body) {
  if (body.size() > kMaxEventBytes) {
    throw PoisonMessage{"TOO_LARGE",
                        "the message body is over " + std::to_string(kMaxEventBytes) + " bytes"};
  }
  nlohmann::json json;
  try {
    json = http::ParseJsonBody(body);
  } catch (const core::Error&) {
    throw PoisonMessage{"MALFORMED_JSON", "the message body is not valid JSON"};
  }
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
  event.event_id = reader.String("eventId", {36, 36, false, false, false});
  RequireUuid(reader, "eventId", event.event_id);
  const auto occurred = reader.String("occurredAt", {1, 64, false, false, false});
  if (!occurred.empty()) {
    if (const auto parsed = ParseRfc3339(occurred)) {
      event.occurred_at = *parsed;
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
    event.order_id = fields.String("orderId", {36, 36, false, false, false});
    RequireUuid(fields, "orderId", event.order_id);
    event.user_id = fields.String("userId", {36, 36, false, false, false});
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
