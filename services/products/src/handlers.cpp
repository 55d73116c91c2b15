#include "handlers.hpp"

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"

namespace comanda::products {

using core::Errc;
using core::Error;

namespace {
Error NotFound() { return Error{Errc::kNotFound, "There is no product with this id."}; }

// Answers a hit; anything else goes to the route's blocking handler.
Catalog::HitCallback AnswerHit(const http::Responder& responder) {
  return [responder](std::optional<Page> page) {
    if (!page) return responder.Fallback();
    responder.Answer(PageResponse(*page, responder.request().Header("If-None-Match")));
  };
}
}  // namespace

http::Response PageResponse(const Page& page, std::string_view if_none_match) {
  auto response = IfNoneMatchMatches(if_none_match, page.etag)
                      ? http::Empty(304)
                      : http::Response{200, "application/json", page.body, {}};
  // Clients may keep a copy but must revalidate it (cheap: a 304 from the cache).
  return std::move(response)
      .Header("ETag", page.etag)
      .Header("X-Cache", std::string{ToString(page.cache)})
      .Header("Cache-Control", "no-cache");
}

http::Response ListProducts::operator()(const http::Request& request) const {
  const auto category = ParseCategoryFilter(request.Query("category"));
  return PageResponse(catalog_.List(category), request.Header("If-None-Match"));
}

void ListProducts::Fast(const http::Responder& responder) const {
  // A bad category throws, which falls back: the handler answers the 400.
  catalog_.TryList(ParseCategoryFilter(responder.request().Query("category")),
                   AnswerHit(responder));
}

void GetProduct::Fast(const http::Responder& responder) const {
  catalog_.TryGet(std::string{responder.request().Param("id")}, AnswerHit(responder));
}

http::Response GetProduct::operator()(const http::Request& request) const {
  const auto page = catalog_.Get(std::string{request.Param("id")});
  if (!page) throw NotFound();
  return PageResponse(*page, request.Header("If-None-Match"));
}

auth::Claims MenuWrite::RequireAdmin(const http::Request& request) const {
  auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  if (claims.role != "admin") throw Error{Errc::kForbidden, "Only an admin may change the menu."};
  return claims;
}

http::Response CreateProduct::operator()(const http::Request& request) const {
  const auto claims = RequireAdmin(request);
  const auto product = products_.Create(ParseProductInput(request.Json()));
  core::log::Info("product created", {{"productId", product.id}, {"by", claims.sub}});
  catalog_.Invalidate();
  return http::Json(201, ToJson(product)).Header("Location", "/products/" + product.id);
}

http::Response ReplaceProduct::operator()(const http::Request& request) const {
  const auto claims = RequireAdmin(request);
  const std::string id{request.Param("id")};
  const auto product = products_.Replace(id, ParseProductInput(request.Json()));
  if (!product) throw NotFound();
  core::log::Info("product replaced", {{"productId", id}, {"by", claims.sub}});
  catalog_.Invalidate();
  return http::Json(200, ToJson(*product));
}

http::Response DeleteProduct::operator()(const http::Request& request) const {
  const auto claims = RequireAdmin(request);
  const std::string id{request.Param("id")};
  if (!products_.Delete(id)) throw NotFound();
  core::log::Info("product deleted", {{"productId", id}, {"by", claims.sub}});
  catalog_.Invalidate();
  return http::Empty(204);
}

}  // namespace comanda::products
