#include "comanda/auth/keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace comanda::auth {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  const std::string data{"\x00\xff\xfe hello world?>", 17};
  for (std::size_t n = 0; n <= data.size(); ++n) {
    const auto encoded = Base64UrlEncode(data.substr(0, n));
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(encoded), data.substr(0, n));
  }
}

TEST(Base64Url, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(Base64UrlDecode("ab+c"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("a"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("YQ"), "a");
  EXPECT_EQ(Base64UrlDecode("YQ=="), "a");
}

TEST(Thumbprint, MatchesTheRfc7638Example) {
  // RFC 7638 section 3.1.
  const std::string n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
      "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
      "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
      "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  EXPECT_EQ(Thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

class KeysTest : public ::testing::Test {
 protected:
  static const SigningKey& Key() {
    static const SigningKey key = SigningKey::Generate();
    return key;
  }
};

TEST_F(KeysTest, PublishesAnRs256Jwk) {
  const auto& jwk = Key().jwk();
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["kid"], Key().kid());
  EXPECT_EQ(jwk["e"], "AQAB");
  EXPECT_FALSE(jwk.contains("d"));  // never the private exponent
}

TEST_F(KeysTest, JwkConvertsBackToTheSamePublicKey) {
  EXPECT_EQ(PublicPemFromJwk(Key().jwk()), Key().public_pem());
}

TEST_F(KeysTest, RejectsUnusableJwks) {
  auto jwk = Key().jwk();
  jwk["kty"] = "EC";
  EXPECT_EQ(PublicPemFromJwk(jwk), std::nullopt);
  jwk = Key().jwk();
  jwk["n"] = "AQAB";  // a tiny modulus
  EXPECT_EQ(PublicPemFromJwk(jwk), std::nullopt);
  EXPECT_EQ(PublicPemFromJwk(nlohmann::json::array()), std::nullopt);
}

TEST_F(KeysTest, ReloadingThePemKeepsTheKid) {
  EXPECT_EQ(SigningKey::FromPem(Key().private_pem()).kid(), Key().kid());
}

TEST(SigningKey, RejectsGarbageAndShortKeys) {
  EXPECT_THROW(SigningKey::FromPem("not a key"), std::runtime_error);
}

TEST(SigningKey, CreatesTheKeyFileOnceWithMode0600) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("comanda-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "jwt.pem").string();
  const auto created = SigningKey::LoadOrCreate(path);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(SigningKey::LoadOrCreate(path).kid(), created.kid());
  std::ofstream{path} << "garbage";
  EXPECT_THROW(SigningKey::LoadOrCreate(path), std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST(SigningKey, LoadNeverCreatesTheKeyFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("comanda-load-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "jwt.pem").string();
  EXPECT_THROW(SigningKey::Load(path), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(path));
  const auto created = SigningKey::LoadOrCreate(path);
  EXPECT_EQ(SigningKey::Load(path).kid(), created.kid());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace comanda::auth
