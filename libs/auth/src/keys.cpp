#include "comanda/auth/keys.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace comanda::auth {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BnDeleter {
  void operator()(BIGNUM* n) const { BN_free(n); }
};
struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BldDeleter {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string{data, static_cast<std::size_t>(length)};
}

std::string PublicPem(EVP_PKEY* key) {
  Bio bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
    throw std::runtime_error{"cannot write public key"};
  return BioToString(bio.get());
}

std::string PrivatePem(EVP_PKEY* key) {
  Bio bio{BIO_new(BIO_s_mem())};
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error{"cannot write private key"};
  }
  return BioToString(bio.get());
}

std::string BignumBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw std::runtime_error{"not an RSA key"};
  Bn number{raw};
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number.get())), '\0');
  BN_bn2bin(number.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return bytes;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&bytes](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    const std::uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto index = kAlphabet.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string Thumbprint(const std::string& n, const std::string& e) {
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const std::string canonical = R"({"e":")" + e + R"(","kty":"RSA","n":")" + n + R"("})";
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest.data());
  return Base64UrlEncode({reinterpret_cast<const char*>(digest.data()), digest.size()});
}

SigningKey SigningKey::FromPem(const std::string& private_pem) {
  Bio bio{BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()))};
  Pkey key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
  if (!key) throw std::runtime_error{"not a PEM private key"};
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) throw std::runtime_error{"not an RSA key"};
  if (EVP_PKEY_get_bits(key.get()) < 2048)
    throw std::runtime_error{"RSA key shorter than 2048 bits"};
  SigningKey out;
  out.private_pem_ = PrivatePem(key.get());
  out.public_pem_ = PublicPem(key.get());
  const auto n = Base64UrlEncode(BignumBytes(key.get(), OSSL_PKEY_PARAM_RSA_N));
  const auto e = Base64UrlEncode(BignumBytes(key.get(), OSSL_PKEY_PARAM_RSA_E));
  out.kid_ = Thumbprint(n, e);
  out.jwk_ = {{"kty", "RSA"},    {"use", "sig"}, {"alg", "RS256"},
              {"kid", out.kid_}, {"n", n},       {"e", e}};
  return out;
}

SigningKey SigningKey::Generate() {
  Pkey key{EVP_RSA_gen(2048)};
  if (!key) throw std::runtime_error{"RSA key generation failed"};
  return FromPem(PrivatePem(key.get()));
}

SigningKey SigningKey::LoadOrCreate(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    auto key = Generate();
    // O_EXCL: when two replicas start together, the second reads the first one's key.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) return LoadOrCreate(path);
    if (fd < 0) throw std::runtime_error{"cannot create " + path + ": " + std::strerror(errno)};
    const auto& pem = key.private_pem();
    const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
    ::close(fd);
    if (!written) throw std::runtime_error{"cannot write " + path};
    return key;
  }
  return Load(path);
}

SigningKey SigningKey::Load(const std::string& path) {
  std::ifstream in{path};
  if (!in) throw std::runtime_error{"cannot read " + path + ": " + std::strerror(errno)};
  std::ostringstream contents;
  contents << in.rdbuf();
  try {
    return FromPem(contents.str());
  } catch (const std::exception& e) {
    throw std::runtime_error{path + ": " + e.what()};
  }
}

std::optional<std::string> PublicPemFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object() || !jwk.contains("kty") || jwk["kty"] != "RSA" || !jwk.contains("n") ||
      !jwk.contains("e") || !jwk["n"].is_string() || !jwk["e"].is_string()) {
    return std::nullopt;
  }
  const auto n = Base64UrlDecode(jwk["n"].get<std::string>());
  const auto e = Base64UrlDecode(jwk["e"].get<std::string>());
  if (!n || !e || n->size() < 256 || e->empty() || e->size() > 8) return std::nullopt;
  Bn modulus{BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                       static_cast<int>(n->size()), nullptr)};
  Bn exponent{BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                        static_cast<int>(e->size()), nullptr)};
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> builder{OSSL_PARAM_BLD_new()};
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return std::nullopt;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params{OSSL_PARAM_BLD_to_param(builder.get())};
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> context{
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return std::nullopt;
  }
  Pkey key{raw};
  return PublicPem(key.get());
}

}  // namespace comanda::auth
