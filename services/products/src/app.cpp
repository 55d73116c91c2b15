#include "app.hpp"

namespace comanda::products {

App::App(ProductRepository& products, Catalog& catalog, const auth::Verifier& verifier)
    : list_{catalog},
      get_{catalog},
      create_{products, catalog, verifier},
      replace_{products, catalog, verifier},
      delete_{products, catalog, verifier} {}

std::vector<http::Route> App::Routes() const {
  return {
      {"GET", "/products", list_, [this](const http::Responder& r) { list_.Fast(r); }},
      {"POST", "/products", create_},
      {"GET", "/products/:id", get_, [this](const http::Responder& r) { get_.Fast(r); }},
      {"PUT", "/products/:id", replace_},
      {"DELETE", "/products/:id", delete_},
  };
}

}  // namespace comanda::products
