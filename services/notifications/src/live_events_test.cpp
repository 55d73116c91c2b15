#include "live_events.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::notifications {
namespace {

StreamEvent Event(StreamEvent::Kind kind, std::string user) {
  StreamEvent event;
  event.id = 42;
  event.kind = kind;
  event.user_id = std::move(user);
  event.order_id = "0e8d5a4c-1f2b-4c3d-9e8f-123456789abc";
  event.state = "ACCEPTED";
  event.sequence = 2;
  return event;
}

TEST(Visible, ACustomerSeesOnlyTheirOwnNotificationsAndOrders) {
  const Audience ana{"ana", false};
  EXPECT_TRUE(Visible(Event(StreamEvent::Kind::kNotification, "ana"), ana));
  EXPECT_TRUE(Visible(Event(StreamEvent::Kind::kStatus, "ana"), ana));
  EXPECT_FALSE(Visible(Event(StreamEvent::Kind::kNotification, "bob"), ana));
  EXPECT_FALSE(Visible(Event(StreamEvent::Kind::kStatus, "bob"), ana));
}

TEST(Visible, StaffSeeEveryOrdersMoveButNotOtherPeoplesNotifications) {
  const Audience cook{"cook", true};
  EXPECT_TRUE(Visible(Event(StreamEvent::Kind::kStatus, "bob"), cook));
  EXPECT_FALSE(Visible(Event(StreamEvent::Kind::kNotification, "bob"), cook));
}

TEST(IsStaffRole, StaffAndAdminOnly) {
  EXPECT_TRUE(IsStaffRole("staff"));
  EXPECT_TRUE(IsStaffRole("admin"));
  EXPECT_FALSE(IsStaffRole("customer"));
  EXPECT_FALSE(IsStaffRole(""));
}

TEST(ParseLastEventId, EmptyIsNone) { EXPECT_EQ(ParseLastEventId(""), std::nullopt); }

TEST(ParseLastEventId, ReadsDecimalIds) {
  EXPECT_EQ(ParseLastEventId("0"), 0);
  EXPECT_EQ(ParseLastEventId("1234"), 1234);
  EXPECT_EQ(ParseLastEventId("999999999999999999"), 999'999'999'999'999'999);
}

TEST(ParseLastEventId, RefusesAnythingElse) {
  for (const auto* bad : {"-1", "12a", " 1", "1.5", "0x10", "9999999999999999999999"}) {
    EXPECT_THROW(ParseLastEventId(bad), core::Error) << bad;
  }
}

TEST(SseFrame, NotificationCarriesIdEventAndOneDataLine) {
  auto event = Event(StreamEvent::Kind::kNotification, "ana");
  event.message = "line one\nline two";
  const auto frame = SseFrame(event);
  EXPECT_EQ(frame.rfind("id: 42\nevent: notification\ndata: {", 0), 0U) << frame;
  EXPECT_EQ(frame.substr(frame.size() - 2), "\n\n");
  // The message's newline is escaped inside the JSON: the frame has exactly its own line breaks.
  EXPECT_EQ(std::count(frame.begin(), frame.end(), '\n'), 4);
  EXPECT_NE(frame.find("\"orderRef\":"), std::string::npos);
}

TEST(SseFrame, StatusNamesTheOrderAndState) {
  const auto frame = SseFrame(Event(StreamEvent::Kind::kStatus, "bob"));
  EXPECT_EQ(frame.rfind("id: 42\nevent: status\ndata: {", 0), 0U) << frame;
  EXPECT_NE(frame.find("\"state\":\"ACCEPTED\""), std::string::npos);
  EXPECT_NE(frame.find("\"sequence\":2"), std::string::npos);
}

TEST(ReadyFrame, TellsTheRetryDelayAndCurrentId) {
  EXPECT_EQ(ReadyFrame(7, std::chrono::milliseconds{2000}),
            "retry: 2000\nid: 7\nevent: ready\ndata: {\"lastEventId\":\"7\"}\n\n");
}

TEST(HeartbeatFrame, IsAComment) { EXPECT_EQ(HeartbeatFrame().front(), ':'); }

}  // namespace
}  // namespace comanda::notifications
