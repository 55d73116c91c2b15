#include "comanda/core/validate.hpp"

#include <stdexcept>
#include <utility>

namespace comanda::core {

std::optional<nlohmann::json> ParseJsonLimited(std::string_view text, int max_depth,
                                               bool* too_deep) {
  bool deep = false;
  const nlohmann::json::parser_callback_t limit_depth =
      [&deep, max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            depth >= max_depth) {
          deep = true;
          throw std::range_error{"too deep"};
        }
        return true;
      };
  std::optional<nlohmann::json> result;
  try {
    result = nlohmann::json::parse(text, limit_depth);
  } catch (const nlohmann::json::exception&) {
  } catch (const std::range_error&) {
    if (!deep) throw;
  }
  if (too_deep != nullptr) *too_deep = deep;
  return result;
}

std::size_t Utf8Length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;  // count lead bytes only
  }
  return count;
}

bool IsValidUtf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07u;
    } else {
      return false;  // a continuation byte, an overlong C0/C1 lead, or past U+10FFFF
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

bool HasControlCharacters(std::string_view text, bool allow_line_breaks) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (allow_line_breaks && (byte == '\n' || byte == '\r' || byte == '\t')) continue;
    if (byte < 0x20 || byte == 0x7f) return true;
    // C1 controls are U+0080..U+009F, encoded as C2 80..C2 9F.
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

std::string_view TrimAscii(std::string_view text) noexcept {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

FieldReader::FieldReader(const nlohmann::json& body, std::string prefix)
    : body_{body}, prefix_{std::move(prefix)} {
  if (!body_.is_object()) {
    const std::string where = prefix_.empty() ? "The request body" : prefix_;
    throw Error{
        Errc::kValidation, where + " must be a JSON object.", {{prefix_, "must be a JSON object"}}};
  }
}

std::string FieldReader::Path(const std::string& field) const {
  return prefix_.empty() ? field : prefix_ + "." + field;
}

const nlohmann::json* FieldReader::Find(const std::string& field) const {
  const auto it = body_.find(field);
  return it == body_.end() ? nullptr : &*it;
}

void FieldReader::Add(const std::string& field, std::string message) {
  errors_.push_back({Path(field), std::move(message)});
}

std::optional<std::string> FieldReader::CheckString(const std::string& field,
                                                    const nlohmann::json& value,
                                                    const StringRule& rule) {
  if (!value.is_string()) {
    Add(field, "must be a string");
    return std::nullopt;
  }
  const auto& raw = value.get_ref<const std::string&>();
  const std::string_view text = rule.trim ? TrimAscii(raw) : std::string_view{raw};
  if (raw.find('\0') != std::string::npos ||
      (!rule.allow_control && HasControlCharacters(text, rule.allow_line_breaks))) {
    Add(field, "must not contain control characters");
    return std::nullopt;
  }
  const auto length = Utf8Length(text);
  if (length < rule.min_length || length > rule.max_length) {
    Add(field, rule.min_length == rule.max_length
                   ? "must be " + std::to_string(rule.min_length) + " characters"
                   : "must be " + std::to_string(rule.min_length) + " to " +
                         std::to_string(rule.max_length) + " characters");
    return std::nullopt;
  }
  return std::string{text};
}

std::string FieldReader::String(const std::string& field, const StringRule& rule) {
  const auto* value = Find(field);
  if (value == nullptr || value->is_null()) {
    Add(field, "is required");
    return {};
  }
  return CheckString(field, *value, rule).value_or("");
}

std::optional<std::string> FieldReader::OptionalString(const std::string& field,
                                                       const StringRule& rule) {
  const auto* value = Find(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return CheckString(field, *value, rule);
}

std::optional<std::int64_t> FieldReader::Integer(const std::string& field, std::int64_t min,
                                                 std::int64_t max) {
  const auto* value = Find(field);
  if (value == nullptr || value->is_null()) {
    Add(field, "is required");
    return std::nullopt;
  }
  std::optional<std::int64_t> number;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      number = INT64_MAX;  // out of range below
    } else {
      number = value->get<std::int64_t>();
    }
  }
  if (!number) {
    Add(field, "must be an integer");
    return std::nullopt;
  }
  if (*number < min || *number > max) {
    Add(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> FieldReader::Boolean(const std::string& field) {
  const auto* value = Find(field);
  if (value == nullptr || value->is_null()) {
    Add(field, "is required");
    return std::nullopt;
  }
  if (!value->is_boolean()) {
    Add(field, "must be true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

const nlohmann::json* FieldReader::Array(const std::string& field, std::size_t min,
                                         std::size_t max) {
  const auto* value = Find(field);
  if (value == nullptr || value->is_null()) {
    Add(field, "is required");
    return nullptr;
  }
  if (!value->is_array()) {
    Add(field, "must be an array");
    return nullptr;
  }
  if (value->size() < min || value->size() > max) {
    Add(field, "must have " + std::to_string(min) + " to " + std::to_string(max) + " elements");
    return nullptr;
  }
  return value;
}

void FieldReader::ThrowIfInvalid() const {
  if (errors_.empty()) return;
  throw Error{Errc::kValidation, "The request has invalid fields.", errors_};
}

void FieldReader::MergeInto(FieldReader& parent) const {
  parent.errors_.insert(parent.errors_.end(), errors_.begin(), errors_.end());
}

}  // namespace comanda::core
