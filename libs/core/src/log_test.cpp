#include "comanda/core/log.hpp"

#include <gtest/gtest.h>

#include "comanda/core/trace.hpp"

namespace comanda::core::log {
namespace {

TEST(FormatLine, WritesTheContractFieldsAsOneJsonObject) {
  const auto line = FormatLine("2026-01-02T03:04:05.678Z", Level::kWarn, "users-service", "hello",
                               "req-1", {{"status", 503}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["service"], "users-service");
  EXPECT_EQ(parsed["msg"], "hello");
  EXPECT_EQ(parsed["requestId"], "req-1");
  EXPECT_TRUE(parsed["traceId"].is_null());  // outside a trace: present, null
  EXPECT_EQ(parsed["status"], 503);
}

TEST(FormatLine, CarriesTheCurrentTraceId) {
  const core::trace::Scope scope{
      *core::trace::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")};
  const auto line = FormatLine("t", Level::kInfo, "svc", "hello", "req-1", {{"a", 1}});
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed["requestId"], "req-1");
  EXPECT_EQ(parsed["a"], 1);
}

TEST(FormatLine, ReplacesInvalidUtf8InsteadOfThrowing) {
  const std::string bad{"bad \xff byte"};
  const auto line = FormatLine("t", Level::kInfo, "svc", bad, "", {});
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_TRUE(parsed["requestId"].is_null());  // outside a request: present, null
  EXPECT_NE(parsed["msg"].get<std::string>().find("bad"), std::string::npos);
}

TEST(FormatLine, AFieldNamedLikeAFixedOneReplacesItAndKeysAreEscaped) {
  const auto line = FormatLine("t", Level::kInfo, "svc", "hello", "",
                               {{"msg", "other"}, {"requestId", "r"}, {"we\"ird", 1}});
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "other");
  EXPECT_EQ(parsed["requestId"], "r");
  EXPECT_EQ(parsed["we\"ird"], 1);
  EXPECT_EQ(parsed.size(),
            7U);  // no key twice (ts, level, service, msg, requestId, traceId, we"ird)
  EXPECT_EQ(line.rfind("{\"ts\":\"t\",\"level\":\"info\"", 0), 0U);
}

TEST(FormatRequestLine, IsTheRequestLineAsJson) {
  const auto line = FormatRequestLine("t", "svc", "req-1", "GET", "/products", 200, 1.23456789);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["service"], "svc");
  EXPECT_EQ(parsed["msg"], "request");
  EXPECT_EQ(parsed["requestId"], "req-1");
  EXPECT_TRUE(parsed["traceId"].is_null());
  EXPECT_EQ(parsed["method"], "GET");
  EXPECT_EQ(parsed["path"], "/products");
  EXPECT_EQ(parsed["status"], 200);
  EXPECT_DOUBLE_EQ(parsed["durationMs"].get<double>(), 1.235);
}

TEST(FormatRequestLine, EscapesAnOddPathAndMarksServerErrors) {
  const std::string path{"/a\"b\\c\x01\xff"};
  const auto line = FormatRequestLine("t", "svc", "", "GET", path, 503, 2);
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["msg"], "request failed");
  EXPECT_TRUE(parsed["requestId"].is_null());
  const core::trace::Scope scope{
      *core::trace::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")};
  EXPECT_EQ(
      nlohmann::json::parse(FormatRequestLine("t", "svc", "r", "GET", "/", 200, 1))["traceId"],
      "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed["path"].get<std::string>().substr(0, 7), "/a\"b\\c\x01");
}

TEST(RequestScope, SetsAndRestoresTheCurrentRequestId) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    RequestScope outer{"a"};
    EXPECT_EQ(CurrentRequestId(), "a");
    {
      RequestScope inner{"b"};
      EXPECT_EQ(CurrentRequestId(), "b");
    }
    EXPECT_EQ(CurrentRequestId(), "a");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

}  // namespace
}  // namespace comanda::core::log
