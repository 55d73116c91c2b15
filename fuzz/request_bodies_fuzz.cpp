// Every route's body parser on one JSON document: only core::Error (a 400/413/422 answer) may come
// out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "comanda/core/error.hpp"
#include "comanda/http/request.hpp"
#include "orders.hpp"
#include "products.hpp"
#include "users.hpp"

namespace {

template <class Parse>
void Try(Parse parse) {
  try {
    parse();
  } catch (const comanda::core::Error&) {  // the client's mistake, answered in words
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace comanda;
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  Try([&] { orders::ParseIdempotencyKey(text); });
  Try([&] { products::ParseCategoryFilter(text); });
  nlohmann::json body;
  try {
    body = http::ParseJsonBody(text);
  } catch (const core::Error&) {
    return 0;
  }
  Try([&] { users::ParseRegistration(body); });
  Try([&] { users::ParseCredentials(body); });
  Try([&] { orders::ParseCreateOrder(body); });
  Try([&] { orders::ParseProduct(body); });
  Try([&] { products::ParseProductInput(body); });
  return 0;
}
