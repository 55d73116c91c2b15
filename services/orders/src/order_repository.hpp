#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "comanda/core/wakeup.hpp"
#include "comanda/db/pool.hpp"
#include "orders.hpp"

namespace comanda::orders {

/// The prepared statements of orders-service's request path.
std::vector<db::Statement> Statements();

/// An `Idempotency-Key` already used by this user.
struct IdempotencyRecord {
  std::string order_id;
  std::string request_hash;
};

/// An event to write to the outbox with its order.
struct OutboxEvent {
  std::string id;  // eventId
  std::string event_type;
  std::string routing_key;
  std::string payload;
  std::string correlation_id;
  std::string traceparent;  // W3C trace context of the placing request (empty: none)
};

/// The `orders`, `order_items`, `idempotency_keys` and `outbox` tables (a fake in unit tests).
class OrderStore {
 public:
  virtual ~OrderStore() = default;

  /// Writes the order, its items, the idempotency record (when a key is given) and the outbox
  /// event in one transaction (one statement, one round trip). When another request holds this
  /// user's key already (the primary key decides, also for concurrent requests), nothing is
  /// written and that record is returned.
  virtual std::variant<Order, IdempotencyRecord> Insert(const Order& order,
                                                        const std::optional<std::string>& key,
                                                        const std::string& request_hash,
                                                        const OutboxEvent& event) = 0;

  virtual std::optional<IdempotencyRecord> FindIdempotency(const std::string& user_id,
                                                           const std::string& key) = 0;
  /// The user's order; nullopt for another user's or an unknown id.
  virtual std::optional<Order> Find(const std::string& user_id, const std::string& order_id) = 0;
  /// The user's newest orders first, at most `limit`.
  virtual std::vector<Order> List(const std::string& user_id, int limit) = 0;

  /// Any user's order (staff); nullopt for an unknown id.
  virtual std::optional<Order> FindAny(const std::string& order_id) = 0;
  /// Locks the order, lets `decide` check the move and fill in `transition` (it throws when the
  /// move is not allowed), then writes the new state, its history row and the outbox event it
  /// returns in the same transaction. A concurrent move of the same order waits for this one and
  /// then decides on the new state. nullopt for an unknown id; the order as it is afterwards.
  virtual std::optional<Order> Move(
      const std::string& order_id,
      const std::function<std::optional<OutboxEvent>(const Order&, Transition&)>& decide) = 0;
  /// Orders newest first, of one user or (nullopt) everyone, optionally in `statuses`, older than
  /// the cursor position `before_seq`.
  virtual std::vector<Order> ListFiltered(const std::optional<std::string>& user_id,
                                          const std::vector<std::string>& statuses,
                                          std::optional<std::int64_t> before_seq, int limit) = 0;
};

/// OrderStore over the request pool. Every committed outbox row notifies `outbox_written`.
class OrderRepository final : public OrderStore {
 public:
  OrderRepository(db::Pool& db, core::Wakeup& outbox_written)
      : db_{db}, outbox_written_{outbox_written} {}
  std::variant<Order, IdempotencyRecord> Insert(const Order& order,
                                                const std::optional<std::string>& key,
                                                const std::string& request_hash,
                                                const OutboxEvent& event) override;
  std::optional<IdempotencyRecord> FindIdempotency(const std::string& user_id,
                                                   const std::string& key) override;
  std::optional<Order> Find(const std::string& user_id, const std::string& order_id) override;
  std::vector<Order> List(const std::string& user_id, int limit) override;
  std::optional<Order> FindAny(const std::string& order_id) override;
  std::optional<Order> Move(
      const std::string& order_id,
      const std::function<std::optional<OutboxEvent>(const Order&, Transition&)>& decide) override;
  std::vector<Order> ListFiltered(const std::optional<std::string>& user_id,
                                  const std::vector<std::string>& statuses,
                                  std::optional<std::int64_t> before_seq, int limit) override;

 private:
  db::Pool& db_;
  core::Wakeup& outbox_written_;
};

}  // namespace comanda::orders
