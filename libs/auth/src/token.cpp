#include "comanda/auth/token.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"

namespace comanda::auth {
namespace {

using core::Errc;
using core::Error;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using Jwt = std::unique_ptr<jwt_t, JwtDeleter>;

// Public keys parsed once per process. Decoding a PEM goes through OpenSSL 3's provider machinery
// (locks, name lookups) and cost more than the RSA verification itself when libjwt did it for
// every token: it was the largest item in the profiles of users- and orders-service.
class PublicKeyCache {
 public:
  std::shared_ptr<EVP_PKEY> Get(const std::string& pem) {
    std::lock_guard lock{mutex_};
    if (const auto it = keys_.find(pem); it != keys_.end()) return it->second;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free};
    EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (raw == nullptr) return nullptr;
    std::shared_ptr<EVP_PKEY> key{raw, EVP_PKEY_free};
    if (keys_.size() >= 16) keys_.clear();  // keys rotate rarely; this only bounds the map
    keys_.emplace(pem, key);
    return key;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<EVP_PKEY>> keys_;
};

PublicKeyCache& PublicKeys() {
  static PublicKeyCache cache;
  return cache;
}

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS RS256) over `signing_input`.
bool VerifyRs256(EVP_PKEY* key, std::string_view signing_input, const std::string& signature) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // fetched once
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free};
  return sha256 != nullptr && context && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
         EVP_DigestVerifyInit(context.get(), nullptr, sha256, nullptr, key) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

Error Unauthorized(std::string detail) { return Error{Errc::kUnauthorized, std::move(detail)}; }

std::int64_t Seconds(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

bool IsBase64UrlSegment(std::string_view segment) {
  return !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

nlohmann::json DecodeSegment(std::string_view segment) {
  const auto bytes = Base64UrlDecode(segment);
  if (!bytes) throw Unauthorized("The token is malformed.");
  auto parsed = nlohmann::json::parse(*bytes, nullptr, false);
  if (!parsed.is_object()) throw Unauthorized("The token is malformed.");
  return parsed;
}

bool AudienceMatches(const nlohmann::json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  if (aud.is_array()) {
    return std::any_of(aud.begin(), aud.end(), [&](const nlohmann::json& a) {
      return a.is_string() && a.get<std::string>() == expected;
    });
  }
  return false;
}

std::string StringClaim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

std::string IssueToken(const SigningKey& key, const TokenSettings& settings, const Subject& subject,
                       Clock::time_point now) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error{"jwt_new failed"};
  Jwt jwt{raw};
  const auto iat = Seconds(now);
  const nlohmann::json claims{{"sub", subject.id},
                              {"email", subject.email},
                              {"name", subject.name},
                              {"role", subject.role},
                              {"iss", settings.issuer},
                              {"aud", settings.audience},
                              {"iat", iat},
                              {"exp", iat + settings.ttl.count()},
                              {"jti", core::NewUuid()}};
  const auto& pem = key.private_pem();
  if (jwt_add_grants_json(jwt.get(), claims.dump().c_str()) != 0 ||
      jwt_add_header(jwt.get(), "kid", key.kid().c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(pem.data()),
                  static_cast<int>(pem.size())) != 0) {
    throw std::runtime_error{"cannot build the token"};
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error{"cannot sign the token"};
  std::string token{encoded};
  std::free(encoded);  // NOLINT(cppcoreguidelines-no-malloc): allocated by libjwt
  return token;
}

StaticKeys::StaticKeys(const std::vector<const SigningKey*>& keys) {
  for (const auto* key : keys) pems_[key->kid()] = key->public_pem();
}

std::optional<std::string> StaticKeys::PublicKeyPem(const std::string& kid) {
  const auto it = pems_.find(kid);
  if (it == pems_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> ParseJwks(std::string_view document) {
  std::map<std::string, std::string> pems;
  const auto parsed = nlohmann::json::parse(document, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("keys") || !parsed["keys"].is_array()) return pems;
  for (const auto& jwk : parsed["keys"]) {
    if (!jwk.is_object() || !jwk.contains("kid") || !jwk["kid"].is_string()) continue;
    if (jwk.contains("alg") && jwk["alg"] != "RS256") continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    if (auto pem = PublicPemFromJwk(jwk)) pems[jwk["kid"].get<std::string>()] = std::move(*pem);
  }
  return pems;
}

JwksKeys::JwksKeys(Fetch fetch, std::chrono::seconds max_age,
                   std::chrono::milliseconds min_refetch_interval)
    : fetch_{std::move(fetch)}, max_age_{max_age}, min_refetch_interval_{min_refetch_interval} {}

std::optional<std::string> JwksKeys::Cached(const std::string& kid, bool& stale) const {
  std::shared_lock lock{mutex_};
  stale = !ever_fetched_ || std::chrono::steady_clock::now() - fetched_at_ > max_age_;
  const auto it = pems_.find(kid);
  if (it == pems_.end()) return std::nullopt;
  return it->second;
}

void JwksKeys::Refresh() {
  auto pems = ParseJwks(fetch_());
  std::unique_lock lock{mutex_};
  ever_fetched_ = true;
  fetched_at_ = std::chrono::steady_clock::now();
  if (pems.empty()) {
    core::log::Warn("JWK set has no usable key");
    return;  // keep the keys we had rather than lock everyone out
  }
  pems_ = std::move(pems);
}

std::optional<std::string> JwksKeys::PublicKeyPem(const std::string& kid) {
  bool stale = false;
  auto pem = Cached(kid, stale);
  if (pem && !stale) return pem;

  std::unique_lock refresh{refresh_mutex_, std::try_to_lock};
  if (!refresh.owns_lock()) {
    if (pem) return pem;  // another thread is fetching: the known key serves meanwhile
    refresh.lock();
  }
  {
    // Another thread may have fetched while we waited, or a fetch failed moments ago: at most one
    // attempt per interval, whatever its outcome, so an outage of users-service is not asked on
    // every request (a known key is served stale meanwhile).
    std::shared_lock lock{mutex_};
    if (attempted_ && std::chrono::steady_clock::now() - attempted_at_ < min_refetch_interval_) {
      const auto it = pems_.find(kid);
      if (it != pems_.end()) return it->second;
      if (last_attempt_failed_) throw Error{Errc::kUnavailable, "the JWK set could not be fetched"};
      return std::nullopt;
    }
  }
  const auto note_attempt = [this](bool failed) {
    std::unique_lock lock{mutex_};
    attempted_ = true;
    attempted_at_ =
        std::chrono::steady_clock::now();  // when it ended: a slow failure counts from there
    last_attempt_failed_ = failed;
  };
  try {
    Refresh();
  } catch (const Error&) {
    note_attempt(true);
    if (pem) return pem;  // stale but known: better than refusing every request
    throw;
  } catch (...) {
    note_attempt(true);
    throw;
  }
  note_attempt(false);
  return Cached(kid, stale);
}

Verifier::Verifier(KeyProvider& keys, VerifySettings settings)
    : keys_{keys}, settings_{std::move(settings)} {}

Claims Verifier::VerifyBearer(std::string_view authorization, Clock::time_point now) const {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.empty()) throw Unauthorized("A bearer token is required.");
  if (authorization.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    throw Unauthorized("The Authorization header must use the Bearer scheme.");
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return Verify(token, now);
}

Claims Verifier::Verify(std::string_view token, Clock::time_point now) const {
  if (token.size() > 8192) throw Unauthorized("The token is malformed.");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos ||
      !IsBase64UrlSegment(token.substr(0, first)) ||
      !IsBase64UrlSegment(token.substr(first + 1, second - first - 1)) ||
      !IsBase64UrlSegment(token.substr(second + 1))) {
    throw Unauthorized("The token is malformed.");
  }
  // The header is read before any key is touched: only RS256 with a kid goes on.
  const auto header = DecodeSegment(token.substr(0, first));
  if (StringClaim(header, "alg") != "RS256")  // not header.value(): a non-string alg would throw
    throw Unauthorized("The token must be signed with RS256.");
  const auto kid = StringClaim(header, "kid");
  if (kid.empty()) throw Unauthorized("The token has no key id.");
  const auto pem = keys_.PublicKeyPem(kid);
  if (!pem) throw Unauthorized("The token was signed by an unknown key.");

  // The signature is checked here with a key parsed once (see PublicKeyCache), RS256 only.
  const auto signature = Base64UrlDecode(token.substr(second + 1));
  const auto key = PublicKeys().Get(*pem);
  if (!signature || !key || !VerifyRs256(key.get(), token.substr(0, second), *signature)) {
    throw Unauthorized("The token signature is invalid.");
  }

  const auto payload = DecodeSegment(token.substr(first + 1, second - first - 1));
  const auto seconds_now = Seconds(now);
  const auto leeway = settings_.leeway.count();
  const auto exp = payload.find("exp");
  if (exp == payload.end() || !exp->is_number_integer())
    throw Unauthorized("The token has no expiry.");
  if (exp->get<std::int64_t>() + leeway <= seconds_now)
    throw Unauthorized("The token has expired.");
  if (const auto nbf = payload.find("nbf"); nbf != payload.end()) {
    if (!nbf->is_number_integer() || nbf->get<std::int64_t>() - leeway > seconds_now) {
      throw Unauthorized("The token is not valid yet.");
    }
  }
  if (StringClaim(payload, "iss") != settings_.issuer)
    throw Unauthorized("The token has the wrong issuer.");
  if (!payload.contains("aud") || !AudienceMatches(payload["aud"], settings_.audience)) {
    throw Unauthorized("The token has the wrong audience.");
  }
  Claims claims;
  claims.sub = StringClaim(payload, "sub");
  claims.email = StringClaim(payload, "email");
  claims.name = StringClaim(payload, "name");
  claims.role = StringClaim(payload, "role");
  claims.jti = StringClaim(payload, "jti");
  claims.exp = exp->get<std::int64_t>();
  if (const auto iat = payload.find("iat"); iat != payload.end() && iat->is_number_integer()) {
    claims.iat = iat->get<std::int64_t>();
  }
  if (!core::IsUuid(claims.sub)) throw Unauthorized("The token has no valid subject.");
  if (claims.role != "customer" && claims.role != "staff" && claims.role != "admin")
    throw Unauthorized("The token has no valid role.");
  return claims;
}

TrustConfig ReadTrustConfig(core::ConfigReader& reader) {
  TrustConfig config;
  config.jwks_url = reader.Url("JWKS_URL", "http://localhost:3001/.well-known/jwks.json",
                               {"http", "https"}, "JWK set of users-service that verifies tokens");
  config.verify = ReadIssuerAndAudience(reader);
  return config;
}

VerifySettings ReadIssuerAndAudience(core::ConfigReader& reader) {
  VerifySettings settings;
  settings.issuer =
      reader.String("JWT_ISSUER", "users-service",
                    "`iss` of access tokens (users-service sets it, others require it)");
  settings.audience =
      reader.String("JWT_AUDIENCE", "food-ordering",
                    "`aud` of access tokens (users-service sets it, others require it)");
  return settings;
}

}  // namespace comanda::auth
