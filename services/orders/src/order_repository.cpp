#include "order_repository.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "comanda/core/ids.hpp"

namespace comanda::orders {
namespace {

constexpr auto kPlace = "orders_place";
constexpr auto kConfirmKey = "orders_confirm_idempotency_key";
constexpr auto kFindOrder = "orders_find";
constexpr auto kListOrders = "orders_list";
constexpr auto kItemsOf = "orders_items_of";
constexpr auto kHistoryOf = "orders_history_of";
constexpr auto kFindAny = "orders_find_any";
constexpr auto kLockOrder = "orders_lock";
constexpr auto kTransition = "orders_transition";
constexpr auto kListFiltered = "orders_list_filtered";

#define COMANDA_RFC3339(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define COMANDA_ORDER_COLUMNS                                                         \
  "id::text, user_id::text, status, total_cents, currency, delivery_address, notes, " \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), version, seq"

Order ToOrder(const pqxx::row& row) {
  Order order;
  order.id = row[0].as<std::string>();
  order.user_id = row[1].as<std::string>();
  order.status = row[2].as<std::string>();
  order.total_cents = row[3].as<std::int64_t>();
  order.currency = row[4].as<std::string>();
  order.delivery_address = row[5].as<std::string>();
  if (!row[6].is_null()) order.notes = row[6].as<std::string>();
  order.created_at = row[7].as<std::string>();
  order.version = row[8].as<int>();
  order.seq = row[9].as<std::int64_t>();
  // CREATED is the order row itself; later states come from order_status_history.
  order.history.push_back({"CREATED", order.created_at, order.user_id, "customer", std::nullopt});
  return order;
}

// A PostgreSQL array literal of UUIDs (they need no quoting).
std::string UuidArray(const std::vector<Order>& orders) {
  std::string out = "{";
  for (const auto& order : orders) out += (out.size() > 1 ? "," : "") + order.id;
  return out + "}";
}

void LoadItems(pqxx::transaction_base& tx, std::vector<Order>& orders) {
  if (orders.empty()) return;
  std::map<std::string, Order*> by_id;
  for (auto& order : orders) by_id[order.id] = &order;
  for (const auto& row : tx.exec_prepared(kItemsOf, UuidArray(orders))) {
    by_id.at(row[0].as<std::string>())
        ->lines.push_back({row[1].as<std::string>(), row[2].as<std::string>(),
                           row[3].as<std::int64_t>(), row[4].as<int>(), row[5].as<std::int64_t>()});
  }
  for (const auto& row : tx.exec_prepared(kHistoryOf, UuidArray(orders))) {
    StatusChange change{row[1].as<std::string>(), row[2].as<std::string>(),
                        row[3].as<std::string>(), row[4].as<std::string>(), std::nullopt};
    if (!row[5].is_null()) change.reason = row[5].as<std::string>();
    by_id.at(row[0].as<std::string>())->history.push_back(std::move(change));
  }
}

// A PostgreSQL array literal of status names (validated: they need no quoting).
std::optional<std::string> StatusArray(const std::vector<std::string>& statuses) {
  if (statuses.empty()) return std::nullopt;
  std::string out = "{";
  for (const auto& status : statuses) out += (out.size() > 1 ? "," : "") + status;
  return out + "}";
}

// The lines as the JSON array the statement unpacks with jsonb_to_recordset.
std::string LinesJson(const std::vector<OrderLine>& lines) {
  auto out = nlohmann::json::array();
  int number = 0;
  for (const auto& line : lines) {
    out.push_back({{"line", ++number},
                   {"product_id", line.product_id},
                   {"name", line.name},
                   {"unit_price_cents", line.unit_price_cents},
                   {"quantity", line.quantity},
                   {"line_total_cents", line.line_total_cents}});
  }
  return out.dump();
}

}  // namespace

std::vector<db::Statement> Statements() {
  return {
      // The whole order in one statement, so one round trip that commits by itself. The key is
      // claimed first: when this user's key is taken (the primary key decides, also against a
      // concurrent request, which this statement waits for), `go` is empty and nothing else is
      // written. The foreign keys are checked at the end of the statement, when all rows exist.
      {kPlace,
       "WITH input AS (SELECT $1::uuid AS id, $2::uuid AS user_id, $3::text AS key, "
       "$4::text AS request_hash), "
       "claimed AS (INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) "
       "SELECT user_id, key, request_hash, id FROM input WHERE key IS NOT NULL "
       "ON CONFLICT (user_id, key) DO NOTHING RETURNING order_id), "
       "go AS (SELECT id, user_id FROM input WHERE key IS NULL OR EXISTS (SELECT FROM claimed)), "
       "new_order AS (INSERT INTO orders (id, user_id, status, total_cents, currency, "
       "delivery_address, notes, created_at) SELECT id, user_id, $5::text, $6::bigint, $7::text, "
       "$8::text, $9::text, $10::timestamptz FROM go), "
       "new_items AS (INSERT INTO order_items (order_id, line, product_id, name, "
       "unit_price_cents, quantity, line_total_cents) SELECT go.id, item.line, item.product_id, "
       "item.name, item.unit_price_cents, item.quantity, item.line_total_cents FROM go, "
       "jsonb_to_recordset($11::jsonb) AS item(line integer, product_id uuid, name text, "
       "unit_price_cents bigint, quantity integer, line_total_cents bigint)), "
       "new_event AS (INSERT INTO outbox (id, aggregate_id, event_type, routing_key, payload, "
       "correlation_id, traceparent) SELECT $12::uuid, go.id, $13::text, $14::text, $15::text, "
       "$16::text, NULLIF($17::text, '') FROM go) "
       "SELECT count(*) FROM go"},
      // A replay rewrites its key's row (unchanged) rather than only reading it: a write commits
      // like the order did, after it, so it waits for the synchronous standby, and once the
      // standby confirms it (db::UnreplicatedCommitWatch) the order is there too. The first
      // answer may have been a 503 because the order's own commit was never confirmed, and a
      // replay must not vouch for it either. An unknown key matches no row: no write, no wait.
      {kConfirmKey,
       "UPDATE idempotency_keys SET request_hash = request_hash WHERE user_id = $1 AND key = $2 "
       "RETURNING order_id::text, request_hash"},
      {kFindOrder, "SELECT " COMANDA_ORDER_COLUMNS " FROM orders WHERE id = $1 AND user_id = $2"},
      {kListOrders, "SELECT " COMANDA_ORDER_COLUMNS
                    " FROM orders WHERE user_id = $1 ORDER BY seq DESC LIMIT $2"},
      {kItemsOf,
       "SELECT order_id::text, product_id::text, name, unit_price_cents, quantity, "
       "line_total_cents FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, "
       "line"},
      {kHistoryOf,
       "SELECT order_id::text, to_status, " COMANDA_RFC3339(
           "at") ", by_user::text, by_role, reason FROM order_status_history WHERE order_id = "
                 "ANY($1::uuid[]) ORDER BY order_id, version"},
      {kFindAny, "SELECT " COMANDA_ORDER_COLUMNS " FROM orders WHERE id = $1"},
      // Taken in the transition's transaction: a concurrent move of the same order waits here
      // and then sees the winner's version.
      {kLockOrder, "SELECT " COMANDA_ORDER_COLUMNS " FROM orders WHERE id = $1 FOR UPDATE"},
      // The new state, its history row and its outbox event in one statement.
      {kTransition,
       "WITH moved AS (UPDATE orders SET status = $2, version = $3 WHERE id = $1 RETURNING id), "
       "history AS (INSERT INTO order_status_history (order_id, version, from_status, to_status, "
       "at, by_user, by_role, reason) SELECT id, $3, $4, $2, $5::timestamptz, $6::uuid, $7, $8 "
       "FROM moved) "
       "INSERT INTO outbox (id, aggregate_id, event_type, routing_key, payload, correlation_id, "
       "traceparent) SELECT $9::uuid, id, $10, $11, $12, $13, NULLIF($14::text, '') FROM moved"},
      // Staff's view: everyone's orders (or one user's), optionally in some states, newest first,
      // after a cursor.
      {kListFiltered, "SELECT " COMANDA_ORDER_COLUMNS
                      " FROM orders WHERE ($1::uuid IS NULL OR user_id = $1::uuid) AND "
                      "($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::bigint IS NULL "
                      "OR seq < $3::bigint) ORDER BY seq DESC LIMIT $4"},
  };
}

std::variant<Order, IdempotencyRecord> OrderRepository::Insert(
    const Order& order, const std::optional<std::string>& key, const std::string& request_hash,
    const OutboxEvent& event) {
  const auto lines = LinesJson(order.lines);
  // With a key, running the statement again after a broken connection is safe: a first run that
  // committed has claimed the key, so the second finds it and answers with that order.
  auto result = db_.RunStatement(
      key.has_value(), [&](pqxx::connection& connection) -> std::variant<Order, IdempotencyRecord> {
        pqxx::nontransaction write{connection};
        const auto placed =
            write
                .exec_prepared1(kPlace, order.id, order.user_id, key, request_hash, order.status,
                                order.total_cents, order.currency, order.delivery_address,
                                order.notes, order.created_at, lines, event.id, event.event_type,
                                event.routing_key, event.payload, event.correlation_id,
                                event.traceparent)[0]
                .as<int>();
        if (placed == 1) return order;
        // Nothing written: only a taken key does that (without a key `go` always has its row).
        const auto rows = write.exec_prepared(kConfirmKey, order.user_id, key.value());
        return IdempotencyRecord{rows.at(0)[0].as<std::string>(), rows.at(0)[1].as<std::string>()};
      });
  if (std::holds_alternative<Order>(result)) outbox_written_.Notify();
  return result;
}

std::optional<IdempotencyRecord> OrderRepository::FindIdempotency(const std::string& user_id,
                                                                  const std::string& key) {
  return db_.Run([&](pqxx::connection& connection) -> std::optional<IdempotencyRecord> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kConfirmKey, user_id, key);
    if (rows.empty()) return std::nullopt;
    return IdempotencyRecord{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
  });
}

std::optional<Order> OrderRepository::Find(const std::string& user_id,
                                           const std::string& order_id) {
  if (!core::IsUuid(order_id)) return std::nullopt;
  return db_.Run([&](pqxx::connection& connection) -> std::optional<Order> {
    pqxx::read_transaction tx{connection};
    const auto rows = tx.exec_prepared(kFindOrder, order_id, user_id);
    if (rows.empty()) return std::nullopt;
    std::vector<Order> orders{ToOrder(rows[0])};
    LoadItems(tx, orders);
    return std::move(orders[0]);
  });
}

std::vector<Order> OrderRepository::List(const std::string& user_id, int limit) {
  return db_.Run([&](pqxx::connection& connection) {
    pqxx::read_transaction tx{connection};
    std::vector<Order> orders;
    for (const auto& row : tx.exec_prepared(kListOrders, user_id, limit)) {
      orders.push_back(ToOrder(row));
    }
    LoadItems(tx, orders);
    return orders;
  });
}

std::optional<Order> OrderRepository::FindAny(const std::string& order_id) {
  if (!core::IsUuid(order_id)) return std::nullopt;
  return db_.Run([&](pqxx::connection& connection) -> std::optional<Order> {
    pqxx::read_transaction tx{connection};
    const auto rows = tx.exec_prepared(kFindAny, order_id);
    if (rows.empty()) return std::nullopt;
    std::vector<Order> orders{ToOrder(rows[0])};
    LoadItems(tx, orders);
    return std::move(orders[0]);
  });
}

std::optional<Order> OrderRepository::Move(
    const std::string& order_id,
    const std::function<std::optional<OutboxEvent>(const Order&, Transition&)>& decide) {
  if (!core::IsUuid(order_id)) return std::nullopt;
  bool written = false;
  auto moved = db_.Transact([&](pqxx::work& tx) -> std::optional<Order> {
    const auto rows = tx.exec_prepared(kLockOrder, order_id);
    if (rows.empty()) return std::nullopt;
    std::vector<Order> orders{ToOrder(rows[0])};
    LoadItems(tx, orders);
    auto& order = orders[0];
    Transition transition;
    const auto event = decide(order, transition);  // throws when the move is not allowed
    if (!event) return std::move(order);
    tx.exec_prepared(kTransition, order.id, transition.to, transition.sequence, transition.from,
                     transition.at, transition.by, transition.by_role, transition.reason, event->id,
                     event->event_type, event->routing_key, event->payload, event->correlation_id,
                     event->traceparent);
    order.status = transition.to;
    order.version = transition.sequence;
    order.history.push_back(
        {transition.to, transition.at, transition.by, transition.by_role, transition.reason});
    written = true;
    return std::move(order);
  });
  if (written) outbox_written_.Notify();  // Transact returned: committed
  return moved;
}

std::vector<Order> OrderRepository::ListFiltered(const std::optional<std::string>& user_id,
                                                 const std::vector<std::string>& statuses,
                                                 std::optional<std::int64_t> before_seq,
                                                 int limit) {
  return db_.Run([&](pqxx::connection& connection) {
    pqxx::read_transaction tx{connection};
    std::vector<Order> orders;
    for (const auto& row :
         tx.exec_prepared(kListFiltered, user_id, StatusArray(statuses), before_seq, limit)) {
      orders.push_back(ToOrder(row));
    }
    LoadItems(tx, orders);
    return orders;
  });
}

}  // namespace comanda::orders
