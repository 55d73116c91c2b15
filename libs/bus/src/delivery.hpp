#pragma once

#include <amqp.h>

#include "comanda/bus/consumer.hpp"

namespace comanda::bus {

/// Copies what consumers need out of rabbitmq-c's properties (which the envelope owns).
DeliveryProperties ReadProperties(const amqp_basic_properties_t& properties);

}  // namespace comanda::bus
