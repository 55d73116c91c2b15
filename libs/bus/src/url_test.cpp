#include "comanda/bus/url.hpp"

#include <gtest/gtest.h>

namespace comanda::bus {
namespace {

TEST(ParseAmqpUrl, ReadsEveryPartAndDecodesTheDefaultVhost) {
  const auto url = ParseAmqpUrl("amqp://guest:guest@localhost:5672/%2f");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, (AmqpUrl{"localhost", 5672, "guest", "guest", "/"}));
}

TEST(ParseAmqpUrl, DecodesEscapesInCredentialsAndVhost) {
  const auto url = ParseAmqpUrl("amqp://us%40er:p%3Ass%2Fw@rabbit:15672/shop%2Fprod");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->user, "us@er");
  EXPECT_EQ(url->password, "p:ss/w");
  EXPECT_EQ(url->host, "rabbit");
  EXPECT_EQ(url->port, 15672);
  EXPECT_EQ(url->vhost, "shop/prod");
}

TEST(ParseAmqpUrl, FillsDefaultsForMissingParts) {
  EXPECT_EQ(ParseAmqpUrl("amqp://"), AmqpUrl{});
  EXPECT_EQ(ParseAmqpUrl("amqp://rabbit"), (AmqpUrl{"rabbit", 5672, "guest", "guest", "/"}));
  EXPECT_EQ(ParseAmqpUrl("amqp://rabbit/"), (AmqpUrl{"rabbit", 5672, "guest", "guest", ""}));
  EXPECT_EQ(ParseAmqpUrl("amqp://bob@rabbit/v"), (AmqpUrl{"rabbit", 5672, "bob", "guest", "v"}));
}

TEST(ParseAmqpUrl, AcceptsBracketedIpv6Hosts) {
  const auto url = ParseAmqpUrl("amqp://u:p@[::1]:5673/%2f");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 5673);
}

TEST(ParseAmqpUrl, RejectsMalformedUrls) {
  for (const auto* bad :
       {"http://localhost:5672/", "amqps://localhost/", "amqp://h:0/", "amqp://h:65536/",
        "amqp://h:abc/", "amqp://h:/", "amqp://h/a/b", "amqp://h/%zz", "amqp://u%4:p@h/",
        "amqp://[::1/", "amqp://h/v?heartbeat=5", "localhost:5672"}) {
    EXPECT_FALSE(ParseAmqpUrl(bad)) << bad;
  }
}

TEST(AmqpUrl, RedactsCredentials) {
  const auto url = ParseAmqpUrl("amqp://user:secret@rabbit:5672/%2f");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->Redacted(), "rabbit:5672/%2f");
}

TEST(PercentDecode, DecodesAndRejectsTruncatedEscapes) {
  EXPECT_EQ(PercentDecode("a%2Fb%2f"), "a/b/");
  EXPECT_FALSE(PercentDecode("abc%2"));
  EXPECT_FALSE(PercentDecode("%"));
}

TEST(ParseAmqpUrls, ReadsOneUrlPerClusterNode) {
  const auto urls =
      ParseAmqpUrls("amqp://guest:guest@127.0.0.1:20672/%2f,amqp://bob:pw@127.0.0.1:20673/%2f");
  ASSERT_TRUE(urls);
  ASSERT_EQ(urls->size(), 2U);
  EXPECT_EQ((*urls)[0], (AmqpUrl{"127.0.0.1", 20672, "guest", "guest", "/"}));
  EXPECT_EQ((*urls)[1], (AmqpUrl{"127.0.0.1", 20673, "bob", "pw", "/"}));
  EXPECT_EQ(Redacted(*urls), "127.0.0.1:20672/%2f,127.0.0.1:20673/%2f");
}

TEST(ParseAmqpUrls, ASingleUrlIsAListOfOne) {
  const auto urls = ParseAmqpUrls("amqp://guest:guest@localhost:5672/%2f");
  ASSERT_TRUE(urls);
  EXPECT_EQ(*urls, (std::vector<AmqpUrl>{{"localhost", 5672, "guest", "guest", "/"}}));
}

TEST(ParseAmqpUrls, RefusesAnEmptyOrBadEntry) {
  EXPECT_FALSE(ParseAmqpUrls(""));
  EXPECT_FALSE(ParseAmqpUrls("amqp://a:1/%2f,"));
  EXPECT_FALSE(ParseAmqpUrls(",amqp://a:1/%2f"));
  EXPECT_FALSE(ParseAmqpUrls("amqp://a:1/%2f,,amqp://b:2/%2f"));
  EXPECT_FALSE(ParseAmqpUrls("amqp://a:1/%2f,http://b:2/"));
  EXPECT_FALSE(ParseAmqpUrls("amqp://a:1/%2f,amqp://b:0/"));
}

}  // namespace
}  // namespace comanda::bus
