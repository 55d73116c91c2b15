#pragma once

#include <vector>

#include "comanda/http/server.hpp"
#include "handlers.hpp"

namespace comanda::products {

/// products-service's route table, built from injected dependencies.
class App {
 public:
  App(ProductRepository& products, Catalog& catalog, const auth::Verifier& verifier);
  std::vector<http::Route> Routes() const;

 private:
  ListProducts list_;
  GetProduct get_;
  CreateProduct create_;
  ReplaceProduct replace_;
  DeleteProduct delete_;
};

}  // namespace comanda::products
