#pragma once

#include "comanda/bus/topology.hpp"

namespace comanda::notifications {

/// Redeliveries of one message (a consumer that dies before acking it) after which the work queue
/// dead-letters it to the DLQ. A safety net: ordinary failures go through the retry queue.
inline constexpr std::int64_t kDeliveryLimit = 20;

/// Exchange `orders`; the quorum work queue bound to `order.created` (delivery limit, dead-letters
/// to the DLQ); the retry queue whose expired messages dead-letter back to the work queue; the DLQ.
/// All through the default exchange, so nothing depends on a second exchange existing.
bus::Topology OrderCreatedTopology();

}  // namespace comanda::notifications
