#pragma once

#include "catalog.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"
#include "comanda/http/server.hpp"
#include "product_repository.hpp"

namespace comanda::products {

/// The 200 (or 304 when If-None-Match matches) answer for a catalog page, with ETag and X-Cache.
http::Response PageResponse(const Page& page, std::string_view if_none_match);

/// GET /products[?category=]
class ListProducts final {
 public:
  explicit ListProducts(Catalog& catalog) : catalog_{catalog} {}
  http::Response operator()(const http::Request& request) const;
  /// On the I/O thread: answers a cache hit, or falls back to operator().
  void Fast(const http::Responder& responder) const;

 private:
  Catalog& catalog_;
};

/// GET /products/:id
class GetProduct final {
 public:
  explicit GetProduct(Catalog& catalog) : catalog_{catalog} {}
  http::Response operator()(const http::Request& request) const;
  /// On the I/O thread: answers a cache hit, or falls back to operator().
  void Fast(const http::Responder& responder) const;

 private:
  Catalog& catalog_;
};

/// What the admin writes share: the repository, the cache they invalidate, the admin check.
class MenuWrite {
 public:
  MenuWrite(ProductRepository& products, Catalog& catalog, const auth::Verifier& verifier)
      : products_{products}, catalog_{catalog}, verifier_{verifier} {}

 protected:
  /// The caller's claims: 401 without a valid token, 403 unless the role is admin.
  auth::Claims RequireAdmin(const http::Request& request) const;

  ProductRepository& products_;
  Catalog& catalog_;
  const auth::Verifier& verifier_;
};

/// POST /products (role admin)
class CreateProduct final : public MenuWrite {
 public:
  using MenuWrite::MenuWrite;
  http::Response operator()(const http::Request& request) const;
};

/// PUT /products/:id (role admin)
class ReplaceProduct final : public MenuWrite {
 public:
  using MenuWrite::MenuWrite;
  http::Response operator()(const http::Request& request) const;
};

/// DELETE /products/:id (role admin)
class DeleteProduct final : public MenuWrite {
 public:
  using MenuWrite::MenuWrite;
  http::Response operator()(const http::Request& request) const;
};

}  // namespace comanda::products
