#include "product_repository.hpp"

#include <chrono>

#include "comanda/core/ids.hpp"

namespace comanda::products {
namespace {

constexpr auto kListAll = "products_list_all";
constexpr auto kListCategory = "products_list_category";
constexpr auto kById = "products_by_id";
constexpr auto kInsert = "products_insert";
constexpr auto kUpdate = "products_update";
constexpr auto kDelete = "products_delete";

constexpr auto kColumns = "id::text, name, description, category, price_cents, currency, available";
// The menu reads in this order: mains, then sides, drinks and desserts.
constexpr auto kMenuOrder =
    "array_position(ARRAY['burgers','pizzas','sides','drinks','desserts'], category), name, id";

Product ToProduct(const pqxx::row& row) {
  return Product{row[0].as<std::string>(), row[1].as<std::string>(),  row[2].as<std::string>(),
                 row[3].as<std::string>(), row[4].as<std::int64_t>(), row[5].as<std::string>(),
                 row[6].as<bool>()};
}

std::vector<Product> ToProducts(const pqxx::result& rows) {
  std::vector<Product> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ToProduct(row));
  return out;
}

}  // namespace

std::vector<db::Statement> Statements() {
  const std::string select =
      std::string{"SELECT "} + kColumns + " FROM products WHERE deleted_at IS NULL";
  const std::string returning = std::string{" RETURNING "} + kColumns;
  return {
      {kListAll, select + " ORDER BY " + kMenuOrder},
      {kListCategory, select + " AND category = $1 ORDER BY " + kMenuOrder},
      {kById, select + " AND id = $1::uuid"},
      {kInsert,
       "INSERT INTO products (id, name, description, category, price_cents, available) "
       "VALUES ($1, $2, $3, $4, $5, $6)" +
           returning},
      {kUpdate,
       "UPDATE products SET name = $2, description = $3, category = $4, price_cents = $5, "
       "available = $6, updated_at = now() WHERE id = $1::uuid AND deleted_at IS NULL" +
           returning},
      {kDelete,
       "UPDATE products SET deleted_at = now() WHERE id = $1::uuid AND deleted_at IS NULL"},
  };
}

ProductRepository::ProductRepository(db::Pool& db, core::metrics::Registry& metrics)
    : db_{db}, metrics_{metrics} {}

template <class Work>
auto ProductRepository::Timed(const char* query, Work&& work) {
  const auto started = std::chrono::steady_clock::now();
  auto result = db_.Run(std::forward<Work>(work));
  metrics_
      .GetHistogram("products_db_query_duration_seconds",
                    "products-service database query latency.", {{"query", query}})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

std::vector<Product> ProductRepository::List(const std::optional<std::string>& category) {
  return Timed("list", [&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return ToProducts(category ? tx.exec_prepared(kListCategory, *category)
                               : tx.exec_prepared(kListAll));
  });
}

std::optional<Product> ProductRepository::Find(const std::string& id) {
  if (!core::IsUuid(id)) return std::nullopt;
  return Timed("find", [&](pqxx::connection& connection) -> std::optional<Product> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kById, id);
    if (rows.empty()) return std::nullopt;
    return ToProduct(rows[0]);
  });
}

Product ProductRepository::Create(const ProductInput& input) {
  return Timed("insert", [&](pqxx::connection& connection) {
    pqxx::work tx{connection};
    const auto rows = tx.exec_prepared(kInsert, core::NewUuid(), input.name, input.description,
                                       input.category, input.price_cents, input.available);
    auto product = ToProduct(rows.at(0));
    tx.commit();
    return product;
  });
}

std::optional<Product> ProductRepository::Replace(const std::string& id,
                                                  const ProductInput& input) {
  if (!core::IsUuid(id)) return std::nullopt;
  return Timed("update", [&](pqxx::connection& connection) -> std::optional<Product> {
    pqxx::work tx{connection};
    const auto rows = tx.exec_prepared(kUpdate, id, input.name, input.description, input.category,
                                       input.price_cents, input.available);
    tx.commit();
    if (rows.empty()) return std::nullopt;
    return ToProduct(rows[0]);
  });
}

bool ProductRepository::Delete(const std::string& id) {
  if (!core::IsUuid(id)) return false;
  return Timed("delete", [&](pqxx::connection& connection) {
    pqxx::work tx{connection};
    const auto rows = tx.exec_prepared(kDelete, id);
    tx.commit();
    return rows.affected_rows() == 1;
  });
}

}  // namespace comanda::products
