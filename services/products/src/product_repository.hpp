#pragma once

#include <optional>
#include <string>
#include <vector>

#include "comanda/core/metrics.hpp"
#include "comanda/db/pool.hpp"
#include "products.hpp"

namespace comanda::products {

/// The prepared statements of products-service.
std::vector<db::Statement> Statements();

/// The `products` table (soft-deleted rows are invisible). Every query's latency is measured.
class ProductRepository {
 public:
  ProductRepository(db::Pool& db, core::metrics::Registry& metrics);

  std::vector<Product> List(const std::optional<std::string>& category);
  std::optional<Product> Find(const std::string& id);
  Product Create(const ProductInput& input);
  std::optional<Product> Replace(const std::string& id, const ProductInput& input);
  bool Delete(const std::string& id);

 private:
  template <class Work>
  auto Timed(const char* query, Work&& work);

  db::Pool& db_;
  core::metrics::Registry& metrics_;
};

}  // namespace comanda::products
