#include "comanda/core/trace.hpp"

#include <gtest/gtest.h>

namespace comanda::core::trace {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Parse, ReadsAValidTraceparent) {
  const auto context = Parse(kValid);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(context->flags, "01");
  EXPECT_EQ(Format(*context), kValid);
}

TEST(Parse, RefusesWhatTheSpecificationRefuses) {
  for (const std::string_view bad : {
           "", "garbage",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // unknown version
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero span id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",     // short trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // trailing data
           "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",    // separator
       }) {
    EXPECT_FALSE(Parse(bad)) << bad;
  }
}

TEST(ContinueOrStart, KeepsTheTraceWithANewSpan) {
  const auto context = ContinueOrStart(kValid);
  EXPECT_EQ(context.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(context.span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(Parse(Format(context)));
}

TEST(ContinueOrStart, StartsANewTraceForAnInvalidOne) {
  const auto first = ContinueOrStart("00-bad");
  const auto second = ContinueOrStart("");
  EXPECT_TRUE(Parse(Format(first)));
  EXPECT_TRUE(Parse(Format(second)));
  EXPECT_NE(first.trace_id, second.trace_id);
}

TEST(Scope, IsCurrentWhileItLivesAndRestoresThePreviousOne) {
  EXPECT_EQ(CurrentTraceId(), "");
  EXPECT_EQ(CurrentTraceparent(), "");
  {
    const Scope outer{*Parse(kValid)};
    EXPECT_EQ(CurrentTraceparent(), kValid);
    {
      const Scope inner{ContinueOrStart("")};
      EXPECT_NE(CurrentTraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
    }
    EXPECT_EQ(CurrentTraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  EXPECT_EQ(CurrentTraceId(), "");
}

}  // namespace
}  // namespace comanda::core::trace
