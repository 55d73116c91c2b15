#include "order_repository.hpp"

#include <map>

#include "comanda/core/ids.hpp"

namespace comanda::orders {
namespace {

constexpr auto kInsertOrder = "orders_insert";
constexpr auto kInsertItem = "orders_insert_item";
constexpr auto kInsertKey = "orders_insert_idempotency_key";
constexpr auto kInsertOutbox = "orders_insert_outbox";
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

}  // namespace

std::vector<db::Statement> Statements() {
  return {
      {kInsertOrder,
       "INSERT INTO orders (id, user_id, status, total_cents, currency, delivery_address, notes, "
       "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)"},
      {kInsertItem,
       "INSERT INTO order_items (order_id, line, product_id, name, unit_price_cents, quantity, "
       "line_total_cents) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
      {kInsertKey,
       "INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, "
       "$4) ON CONFLICT (user_id, key) DO NOTHING RETURNING order_id"},
      {kInsertOutbox,
       "INSERT INTO outbox (id, aggregate_id, event_type, routing_key, payload, correlation_id) "
       "VALUES ($1, $2, $3, $4, $5, $6)"},
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
  return db_.Run([&](pqxx::connection& connection) -> std::variant<Order, IdempotencyRecord> {
    pqxx::work tx{connection};
    tx.exec_prepared(kInsertOrder, order.id, order.user_id, order.status, order.total_cents,
                     order.currency, order.delivery_address, order.notes, order.created_at);
    int line_number = 0;
    for (const auto& line : order.lines) {
      tx.exec_prepared(kInsertItem, order.id, ++line_number, line.product_id, line.name,
                       line.unit_price_cents, line.quantity, line.line_total_cents);
    }
    if (key) {
      // A concurrent request with the same key waits here until the first one commits, then
      // inserts nothing: the primary key, not a prior check, decides who wins.
      if (tx.exec_prepared(kInsertKey, order.user_id, *key, request_hash, order.id).empty()) {
        tx.abort();
        pqxx::nontransaction read{connection};
        const auto rows = read.exec_prepared(kFindKey, order.user_id, *key);
        return IdempotencyRecord{rows.at(0)[0].as<std::string>(), rows.at(0)[1].as<std::string>()};
      }
    }
    tx.exec_prepared(kInsertOutbox, event.id, order.id, event.event_type, event.routing_key,
                     event.payload, event.correlation_id);
    tx.commit();
    return order;
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
