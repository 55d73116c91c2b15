#pragma once

#include <amqp.h>

#include <string>
#include <utility>
#include <vector>

#include "comanda/bus/publisher.hpp"

namespace comanda::bus {

/// rabbitmq-c's amqp_basic_properties_t for our MessageProperties. The struct points into this
/// object's own copies of the strings, so it lives as long as this object and is not copyable.
class AmqpProperties {
 public:
  explicit AmqpProperties(MessageProperties properties);
  AmqpProperties(const AmqpProperties&) = delete;
  AmqpProperties& operator=(const AmqpProperties&) = delete;

  const amqp_basic_properties_t& get() const noexcept { return properties_; }

 private:
  MessageProperties source_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<amqp_table_entry_t> entries_;
  amqp_basic_properties_t properties_{};
};

/// A view of rabbitmq-c bytes as a string (tests, logs).
inline std::string ToString(const amqp_bytes_t& bytes) {
  return bytes.len == 0 ? std::string{}
                        : std::string{static_cast<const char*>(bytes.bytes), bytes.len};
}

}  // namespace comanda::bus
