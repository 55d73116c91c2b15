#include "comanda/auth/token.hpp"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <future>
#include <thread>

#include "comanda/core/error.hpp"

namespace comanda::auth {
namespace {

using namespace std::chrono_literals;

const SigningKey& Key() {
  static const SigningKey key = SigningKey::Generate();
  return key;
}
const SigningKey& OtherKey() {
  static const SigningKey key = SigningKey::Generate();
  return key;
}

const Clock::time_point kNow{std::chrono::seconds{1'800'000'000}};
const TokenSettings kSettings{"users-service", "food-ordering", 900s};
const Subject kUser{"123e4567-e89b-42d3-a456-426614174000", "ana@example.com", "Ana", "customer"};

nlohmann::json PayloadOf(const std::string& token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return nlohmann::json::parse(*Base64UrlDecode(token.substr(first + 1, second - first - 1)));
}

std::string WithPayload(const std::string& token, const nlohmann::json& payload) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return token.substr(0, first) + "." + Base64UrlEncode(payload.dump()) + token.substr(second);
}

class VerifierTest : public ::testing::Test {
 protected:
  StaticKeys keys{{&Key()}};
  Verifier verifier{keys, {"users-service", "food-ordering", 5s}};

  void ExpectRejected(const std::string& token, Clock::time_point now = kNow) {
    try {
      verifier.Verify(token, now);
      ADD_FAILURE() << "accepted " << token;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.errc(), core::Errc::kUnauthorized);
    }
  }
};

TEST_F(VerifierTest, AcceptsItsOwnTokens) {
  const auto claims = verifier.Verify(IssueToken(Key(), kSettings, kUser, kNow), kNow + 60s);
  EXPECT_EQ(claims.sub, kUser.id);
  EXPECT_EQ(claims.email, kUser.email);
  EXPECT_EQ(claims.name, kUser.name);
  EXPECT_EQ(claims.role, "customer");
  EXPECT_EQ(claims.exp - claims.iat, 900);
  EXPECT_FALSE(claims.jti.empty());
}

TEST_F(VerifierTest, PutsTheKidInTheHeader) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  const auto header = nlohmann::json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], Key().kid());
}

TEST_F(VerifierTest, RejectsExpiredTokens) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  ExpectRejected(token, kNow + 900s + 6s);
  EXPECT_NO_THROW(verifier.Verify(token, kNow + 900s + 4s));  // within the leeway
}

TEST_F(VerifierTest, RejectsWrongIssuerAndAudience) {
  ExpectRejected(IssueToken(Key(), {"someone-else", "food-ordering", 900s}, kUser, kNow));
  ExpectRejected(IssueToken(Key(), {"users-service", "another-app", 900s}, kUser, kNow));
}

TEST_F(VerifierTest, RejectsTamperedPayloads) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  auto payload = PayloadOf(token);
  payload["role"] = "admin";
  ExpectRejected(WithPayload(token, payload));
}

TEST_F(VerifierTest, RejectsTokensSignedByAnotherKeyWithOurKid) {
  const auto token = IssueToken(OtherKey(), kSettings, kUser, kNow);
  // Swap the other key's kid for ours: the signature must still fail.
  const auto header = R"({"alg":"RS256","typ":"JWT","kid":")" + Key().kid() + R"("})";
  ExpectRejected(Base64UrlEncode(header) + token.substr(token.find('.')));
}

TEST_F(VerifierTest, RejectsUnknownKids) {
  ExpectRejected(IssueToken(OtherKey(), kSettings, kUser, kNow));
}

TEST_F(VerifierTest, RejectsAlgNone) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  const auto header = R"({"alg":"none","typ":"JWT","kid":")" + Key().kid() + R"("})";
  const auto rest = token.substr(token.find('.'));
  ExpectRejected(Base64UrlEncode(header) + rest.substr(0, rest.rfind('.') + 1));
  ExpectRejected(Base64UrlEncode(header) + rest);
}

TEST_F(VerifierTest, RejectsHs256SignedWithThePublicKey) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  const auto header = R"({"alg":"HS256","typ":"JWT","kid":")" + Key().kid() + R"("})";
  const auto signing_input =
      Base64UrlEncode(header) + "." + Base64UrlEncode(PayloadOf(token).dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  const auto& secret = Key().public_pem();
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_length);
  ExpectRejected(signing_input + "." +
                 Base64UrlEncode({reinterpret_cast<const char*>(mac), mac_length}));
}

TEST_F(VerifierTest, RejectsHeadersWhoseAlgOrKidIsNotAString) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  const auto rest = token.substr(token.find('.'));
  for (const std::string alg : {"1", "null", "true", "{}", R"(["RS256"])"}) {
    ExpectRejected(Base64UrlEncode(R"({"alg":)" + alg + R"(,"kid":")" + Key().kid() + R"("})") +
                   rest);
  }
  ExpectRejected(Base64UrlEncode(R"({"alg":"RS256","kid":7})") + rest);
}

TEST_F(VerifierTest, RejectsGarbage) {
  for (const std::string token : {"", "abc", "a.b", "a.b.c.d", "!!.??.##", "e30.e30.e30"}) {
    ExpectRejected(token);
  }
}

TEST_F(VerifierTest, RequiresAUuidSubjectAndAKnownRole) {
  ExpectRejected(IssueToken(Key(), kSettings, {"not-a-uuid", "a@b.co", "A", "customer"}, kNow));
  ExpectRejected(IssueToken(Key(), kSettings, {kUser.id, "a@b.co", "A", "root"}, kNow));
}

TEST_F(VerifierTest, ReadsTheBearerScheme) {
  const auto token = IssueToken(Key(), kSettings, kUser, kNow);
  EXPECT_EQ(verifier.VerifyBearer("Bearer " + token, kNow).sub, kUser.id);
  EXPECT_EQ(verifier.VerifyBearer("bearer " + token, kNow).sub, kUser.id);
  EXPECT_THROW(verifier.VerifyBearer("Basic " + token, kNow), core::Error);
  EXPECT_THROW(verifier.VerifyBearer("", kNow), core::Error);
  EXPECT_THROW(verifier.VerifyBearer("Bearer", kNow), core::Error);
}

TEST(ParseJwks, KeepsOnlyRs256SigningKeys) {
  auto enc = Key().jwk();
  enc["use"] = "enc";
  const nlohmann::json document{
      {"keys", {Key().jwk(), enc, {{"kid", "x"}, {"kty", "oct"}}, {{"kid", "y"}, {"kty", 1}}, 42}}};
  const auto pems = ParseJwks(document.dump());
  ASSERT_EQ(pems.size(), 1u);
  EXPECT_EQ(pems.at(Key().kid()), Key().public_pem());
  EXPECT_TRUE(ParseJwks("not json").empty());
}

TEST(JwksKeys, FetchesOnceAndRefetchesOnUnknownKidAtMostOncePerInterval) {
  int fetches = 0;
  nlohmann::json document{{"keys", {Key().jwk()}}};
  JwksKeys keys{[&] {
                  ++fetches;
                  return document.dump();
                },
                300s, 60s};
  EXPECT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());
  EXPECT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());
  EXPECT_EQ(fetches, 1);
  document["keys"].push_back(OtherKey().jwk());
  // Refetched too recently: the unknown kid is refused without a fetch.
  EXPECT_EQ(keys.PublicKeyPem(OtherKey().kid()), std::nullopt);
  EXPECT_EQ(fetches, 1);
}

TEST(JwksKeys, RefetchesOnUnknownKid) {
  int fetches = 0;
  nlohmann::json document{{"keys", {Key().jwk()}}};
  JwksKeys keys{[&] {
                  ++fetches;
                  return document.dump();
                },
                300s, 0ms};
  EXPECT_TRUE(keys.PublicKeyPem(Key().kid()));
  document["keys"].push_back(OtherKey().jwk());
  EXPECT_EQ(keys.PublicKeyPem(OtherKey().kid()), OtherKey().public_pem());
  EXPECT_EQ(fetches, 2);
}

TEST(JwksKeys, AnUnreachableIssuerIsAskedAtMostOncePerInterval) {
  const auto other = OtherKey().kid();  // generating a key takes a while: not inside the intervals
  int fetches = 0;
  bool down = false;
  JwksKeys keys{[&]() -> std::string {
                  ++fetches;
                  if (down) throw core::Error{core::Errc::kUnavailable, "down"};
                  return nlohmann::json{{"keys", {Key().jwk()}}}.dump();
                },
                0s, 200ms};  // max age 0: every read wants a refresh
  const auto unavailable = [&](const std::string& kid) {
    try {
      keys.PublicKeyPem(kid);
    } catch (const core::Error& error) {
      return error.errc() == core::Errc::kUnavailable;
    }
    return false;
  };
  EXPECT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());
  down = true;
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());  // the failed fetch: served stale
  EXPECT_EQ(fetches, 2);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());
    EXPECT_TRUE(unavailable(other));  // unknown while the issuer is away: 503, not 401
  }
  EXPECT_EQ(fetches, 2);
  down = false;
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(keys.PublicKeyPem(other), std::nullopt);  // asked again: really unknown
  EXPECT_EQ(fetches, 3);
}

TEST(JwksKeys, AKnownKeyIsServedWhileAnotherThreadFetches) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  int fetches = 0;  // only the fetching thread touches it
  JwksKeys keys{[&] {
                  if (++fetches == 2) {  // the refresh of the stale key: hangs like a slow issuer
                    entered.set_value();
                    released.wait();
                  }
                  return nlohmann::json{{"keys", {Key().jwk()}}}.dump();
                },
                0s, 0ms};
  ASSERT_EQ(keys.PublicKeyPem(Key().kid()), Key().public_pem());
  std::thread fetcher{[&] { keys.PublicKeyPem(Key().kid()); }};
  entered.get_future().wait();
  auto read = std::async(std::launch::async, [&] { return keys.PublicKeyPem(Key().kid()); });
  const bool answered = read.wait_for(2s) == std::future_status::ready;
  release.set_value();
  fetcher.join();
  EXPECT_TRUE(answered) << "a known key waited for another thread's fetch";
  EXPECT_EQ(read.get(), Key().public_pem());
}

TEST(JwksKeys, PropagatesUnavailabilityWhenNothingIsCached) {
  JwksKeys keys{[]() -> std::string { throw core::Error{core::Errc::kUnavailable, "down"}; }};
  EXPECT_THROW(keys.PublicKeyPem("any"), core::Error);
}

}  // namespace
}  // namespace comanda::auth
