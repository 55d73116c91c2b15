#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace comanda::auth {

/// base64url without padding (RFC 4648 section 5), as JWTs and JWKs use it.
std::string Base64UrlEncode(std::string_view bytes);
/// Decodes base64url (padding optional); nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

/// An RSA signing key with its public half, its JWK and its `kid`.
class SigningKey {
 public:
  /// Reads a PEM RSA private key from `path`; when the file does not exist, generates a 2048-bit
  /// key and writes it there with mode 0600. Throws std::runtime_error when the file is unreadable
  /// or not an RSA key of at least 2048 bits.
  static SigningKey LoadOrCreate(const std::string& path);
  /// Reads a PEM RSA private key from `path`; a missing file is an error too (never generates).
  static SigningKey Load(const std::string& path);
  /// Parses a PEM RSA private key (throws std::runtime_error).
  static SigningKey FromPem(const std::string& private_pem);
  /// A new 2048-bit key (tests, tools).
  static SigningKey Generate();

  const std::string& kid() const noexcept { return kid_; }
  const std::string& private_pem() const noexcept { return private_pem_; }
  const std::string& public_pem() const noexcept { return public_pem_; }
  /// `{"kty":"RSA","use":"sig","alg":"RS256","kid","n","e"}`
  const nlohmann::json& jwk() const noexcept { return jwk_; }

 private:
  SigningKey() = default;
  std::string kid_;
  std::string private_pem_;
  std::string public_pem_;
  nlohmann::json jwk_;
};

/// The PEM public key of an RSA JWK (`n`, `e` base64url); nullopt when it is not a usable RSA key.
std::optional<std::string> PublicPemFromJwk(const nlohmann::json& jwk);

/// The RFC 7638 thumbprint of an RSA public key given as base64url `n` and `e`.
std::string Thumbprint(const std::string& n, const std::string& e);

}  // namespace comanda::auth
