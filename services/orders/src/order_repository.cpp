#include "order_repository.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "comanda/core/ids.hpp"

namespace comanda::orders {
namespace {

constexpr auto kPlace = "orders_place";
constexpr auto kFindKey = "orders_find_idempotency_key";
constexpr auto kFindOrder = "orders_find";
constexpr auto kListOrders = "orders_list";
constexpr auto kItemsOf = "orders_items_of";

#define COMANDA_ORDER_COLUMNS                                                         \
  "id::text, user_id::text, status, total_cents, currency, delivery_address, notes, " \
  "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

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
      {kFindKey,
       "SELECT order_id::text, request_hash FROM idempotency_keys WHERE user_id = $1 AND key = "
       "$2"},
      {kFindOrder, "SELECT " COMANDA_ORDER_COLUMNS " FROM orders WHERE id = $1 AND user_id = $2"},
      {kListOrders, "SELECT " COMANDA_ORDER_COLUMNS
                    " FROM orders WHERE user_id = $1 ORDER BY seq DESC LIMIT $2"},
      {kItemsOf,
       "SELECT order_id::text, product_id::text, name, unit_price_cents, quantity, "
       "line_total_cents FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, "
       "line"},
  };
}

std::variant<Order, IdempotencyRecord> OrderRepository::Insert(
    const Order& order, const std::optional<std::string>& key, const std::string& request_hash,
    const OutboxEvent& event) {
  const auto lines = LinesJson(order.lines);
  // With a key, running the statement again after a broken connection is safe: a first run that
  // committed has claimed the key, so the second finds it and answers with that order.
  return db_.RunStatement(
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
        const auto rows = write.exec_prepared(kFindKey, order.user_id, key.value());
        return IdempotencyRecord{rows.at(0)[0].as<std::string>(), rows.at(0)[1].as<std::string>()};
      });
}

std::optional<IdempotencyRecord> OrderRepository::FindIdempotency(const std::string& user_id,
                                                                  const std::string& key) {
  return db_.Run([&](pqxx::connection& connection) -> std::optional<IdempotencyRecord> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kFindKey, user_id, key);
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

}  // namespace comanda::orders
