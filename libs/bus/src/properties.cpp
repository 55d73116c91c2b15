#include "properties.hpp"

namespace comanda::bus {
namespace {

amqp_bytes_t Bytes(const std::string& text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // rabbitmq-c never writes
}

}  // namespace

AmqpProperties::AmqpProperties(MessageProperties properties) : source_{std::move(properties)} {
  auto& p = properties_;
  if (!source_.content_type.empty()) {
    p._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
    p.content_type = Bytes(source_.content_type);
  }
  p._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
  p.delivery_mode = source_.persistent ? AMQP_DELIVERY_PERSISTENT : AMQP_DELIVERY_NONPERSISTENT;
  if (!source_.message_id.empty()) {
    p._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    p.message_id = Bytes(source_.message_id);
  }
  if (!source_.type.empty()) {
    p._flags |= AMQP_BASIC_TYPE_FLAG;
    p.type = Bytes(source_.type);
  }
  if (!source_.expiration.empty()) {
    p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    p.expiration = Bytes(source_.expiration);
  }
  if (source_.timestamp) {
    p._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    p.timestamp = static_cast<std::uint64_t>(*source_.timestamp);
  }

  headers_ = source_.headers;
  if (!source_.correlation_id.empty()) {
    p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
    p.correlation_id = Bytes(source_.correlation_id);
    headers_.emplace_back("x-correlation-id", source_.correlation_id);
  }
  if (!headers_.empty()) {
    entries_.reserve(headers_.size());
    for (const auto& [name, value] : headers_) {
      amqp_table_entry_t entry{};
      entry.key = Bytes(name);
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = Bytes(value);
      entries_.push_back(entry);
    }
    p._flags |= AMQP_BASIC_HEADERS_FLAG;
    p.headers = amqp_table_t{static_cast<int>(entries_.size()), entries_.data()};
  }
}

}  // namespace comanda::bus
