#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "comanda/auth/keys.hpp"
#include "comanda/core/config.hpp"

namespace comanda::auth {

using Clock = std::chrono::system_clock;

/// The verified claims of an access token.
struct Claims {
  std::string sub;  // user id
  std::string email;
  std::string name;
  std::string role;  // customer | admin
  std::string jti;
  std::int64_t iat = 0;
  std::int64_t exp = 0;
};

/// Who a token is issued for.
struct Subject {
  std::string id;
  std::string email;
  std::string name;
  std::string role;
};

struct TokenSettings {
  std::string issuer;
  std::string audience;
  std::chrono::seconds ttl{900};
};

/// Signs an RS256 access token with the key's `kid` in its header.
std::string IssueToken(const SigningKey& key, const TokenSettings& settings, const Subject& subject,
                       Clock::time_point now);

/// Where a verifier finds public keys by `kid`.
class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  /// The PEM public key for `kid`, nullopt when unknown. May throw core::Error{kUnavailable}
  /// when the keys cannot be fetched.
  virtual std::optional<std::string> PublicKeyPem(const std::string& kid) = 0;
};

/// The issuer's own keys (users-service verifies its tokens locally).
class StaticKeys final : public KeyProvider {
 public:
  explicit StaticKeys(const std::vector<const SigningKey*>& keys);
  std::optional<std::string> PublicKeyPem(const std::string& kid) override;

 private:
  std::map<std::string, std::string> pems_;
};

/// Keys from a JWK set fetched over HTTP: cached, refreshed after `max_age`, and refetched when a
/// token names an unknown `kid`. At most one fetch is attempted per `min_refetch_interval`, failed
/// or not, so neither a flood of made-up kids nor an outage of the issuer means a fetch per
/// request. A known key is served stale while the issuer is unreachable, and while another thread
/// fetches (no request waits behind a slow fetch for a key it already has).
class JwksKeys final : public KeyProvider {
 public:
  /// `fetch` returns the JWK set document; it throws core::Error{kUnavailable} on failure.
  using Fetch = std::function<std::string()>;
  explicit JwksKeys(Fetch fetch, std::chrono::seconds max_age = std::chrono::seconds{300},
                    std::chrono::milliseconds min_refetch_interval = std::chrono::milliseconds{
                        1000});
  std::optional<std::string> PublicKeyPem(const std::string& kid) override;

 private:
  std::optional<std::string> Cached(const std::string& kid, bool& stale) const;
  void Refresh();

  Fetch fetch_;
  std::chrono::seconds max_age_;
  std::chrono::milliseconds min_refetch_interval_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::string> pems_;
  std::chrono::steady_clock::time_point fetched_at_{};    // the last successful fetch
  std::chrono::steady_clock::time_point attempted_at_{};  // the end of the last attempt
  bool ever_fetched_ = false;
  bool attempted_ = false;
  bool last_attempt_failed_ = false;
  std::mutex refresh_mutex_;  // one fetch at a time
};

/// Parses a JWK set document into kid -> PEM, skipping keys that are not RS256 signing keys.
std::map<std::string, std::string> ParseJwks(std::string_view document);

struct VerifySettings {
  std::string issuer;
  std::string audience;
  std::chrono::seconds leeway{5};
};

/// How a service that accepts users-service's tokens checks them: JWKS_URL, JWT_ISSUER and
/// JWT_AUDIENCE, read the same way by every such service.
struct TrustConfig {
  std::string jwks_url;
  VerifySettings verify;
};
TrustConfig ReadTrustConfig(core::ConfigReader& reader);
/// JWT_ISSUER and JWT_AUDIENCE, the one place they are read (users-service signs with them).
VerifySettings ReadIssuerAndAudience(core::ConfigReader& reader);

/// Verifies RS256 access tokens. Every failure throws core::Error{kUnauthorized} (401).
/// Only RS256 is accepted, whatever the token's header says; `exp`, `nbf`, `iss`, `aud`, `sub`
/// and `role` are checked here rather than trusted to the JWT library.
class Verifier {
 public:
  Verifier(KeyProvider& keys, VerifySettings settings);

  Claims Verify(std::string_view token, Clock::time_point now) const;
  /// Verifies an `Authorization` header value: `Bearer <token>`.
  Claims VerifyBearer(std::string_view authorization, Clock::time_point now = Clock::now()) const;

 private:
  KeyProvider& keys_;
  VerifySettings settings_;
};

}  // namespace comanda::auth
