// A bearer token (header, payload, signature) checked against a real key, and a JWK set document:
// a token only ever fails with core::Error (401); a JWK set parses or throws core::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "comanda/auth/keys.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace comanda;
  static const auto key = auth::SigningKey::Generate();
  static auth::StaticKeys keys{{&key}};
  static const auth::Verifier verifier{keys, {"users-service", "food-ordering"}};
  const std::string text{reinterpret_cast<const char*>(data), size};
  try {
    verifier.VerifyBearer("Bearer " + text);
  } catch (const core::Error&) {
  }
  try {
    auth::ParseJwks(text);
  } catch (const core::Error&) {
  }
  return 0;
}
