#pragma once

#include <amqp.h>

#include <vector>

#include "comanda/bus/topology.hpp"

namespace comanda::bus {

/// rabbitmq-c's amqp_table_t for queue arguments: text as `S`, integers as `l` (64-bit). The table
/// points into this object's own copy of the arguments, so it lives as long as this object.
class ArgumentTable {
 public:
  explicit ArgumentTable(Arguments arguments);
  ArgumentTable(const ArgumentTable&) = delete;
  ArgumentTable& operator=(const ArgumentTable&) = delete;

  amqp_table_t get() const noexcept;

 private:
  Arguments arguments_;
  std::vector<amqp_table_entry_t> entries_;
};

}  // namespace comanda::bus
