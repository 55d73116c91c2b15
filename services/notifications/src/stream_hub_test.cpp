#include "stream_hub.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace comanda::notifications {
namespace {

using std::chrono::system_clock;

class FakeSource final : public StreamEventSource {
 public:
  std::vector<StreamEvent> rows;
  std::int64_t Latest() override { return rows.empty() ? 0 : rows.back().id; }
  std::vector<StreamEvent> After(std::int64_t after, int limit) override {
    std::vector<StreamEvent> out;
    for (const auto& row : rows) {
      if (row.id > after && static_cast<int>(out.size()) < limit) out.push_back(row);
    }
    return out;
  }
  std::vector<StreamEvent> Replay(std::int64_t after, std::int64_t upto, const Audience& audience,
                                  int limit) override {
    std::vector<StreamEvent> out;
    for (const auto& row : rows) {
      if (row.id > after && row.id <= upto && Visible(row, audience) &&
          static_cast<int>(out.size()) < limit) {
        out.push_back(row);
      }
    }
    return out;
  }
  std::int64_t Prune(std::chrono::seconds) override { return 0; }
  void Append(StreamEvent::Kind kind, std::string user) {
    StreamEvent event;
    event.id = static_cast<std::int64_t>(rows.size()) + 1;
    event.kind = kind;
    event.user_id = std::move(user);
    event.order_id = "0e8d5a4c-1f2b-4c3d-9e8f-123456789abc";
    event.state = "ACCEPTED";
    rows.push_back(event);
  }
};

class FakeStream final : public http::Stream {
 public:
  std::vector<std::string> frames;
  bool closed = false;
  bool Write(std::string chunk) override {
    if (closed) return false;
    frames.push_back(std::move(chunk));
    return true;
  }
  void Close() override { closed = true; }
  bool open() const override { return !closed; }
  // The ids of the events written, in order.
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const auto& frame : frames) {
      if (frame.rfind("retry:", 0) == 0) continue;  // ready
      for (auto at = frame.find("id: "); at != std::string::npos; at = frame.find("id: ", at + 1)) {
        ids.push_back(frame.substr(at + 4, frame.find('\n', at) - at - 4));
      }
    }
    return ids;
  }
};

struct HubTest : ::testing::Test {
  FakeSource source;
  core::metrics::Registry registry;
  StreamHub hub{source, HubSettings{}, registry};

  std::shared_ptr<FakeStream> Open(Audience audience, std::optional<std::int64_t> last = {},
                                   std::chrono::seconds ttl = std::chrono::seconds{900}) {
    auto stream = std::make_shared<FakeStream>();
    hub.Add({stream, std::move(audience), last, system_clock::now() + ttl});
    return stream;
  }
};

TEST_F(HubTest, ANewStreamStartsWithReadyAtTheCurrentId) {
  source.Append(StreamEvent::Kind::kNotification, "ana");
  hub.Pass();
  const auto ana = Open({"ana", false});
  hub.Pass();
  ASSERT_EQ(ana->frames.size(), 1U);
  EXPECT_NE(ana->frames[0].find("id: 1\nevent: ready"), std::string::npos);
}

TEST_F(HubTest, LiveEventsReachOnlyTheirAudience) {
  hub.Pass();
  const auto ana = Open({"ana", false});
  const auto bob = Open({"bob", false});
  const auto cook = Open({"cook", true});
  hub.Pass();
  source.Append(StreamEvent::Kind::kNotification, "ana");
  source.Append(StreamEvent::Kind::kStatus, "ana");
  hub.Pass();
  EXPECT_EQ(ana->Ids(), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(bob->Ids().empty());
  EXPECT_EQ(cook->Ids(), (std::vector<std::string>{"2"}));
}

TEST_F(HubTest, ResumingReplaysWhatCameAfterLastEventIdThenGoesLive) {
  for (int i = 0; i < 4; ++i) source.Append(StreamEvent::Kind::kNotification, "ana");
  hub.Pass();
  const auto ana = Open({"ana", false}, 2);
  hub.Pass();
  source.Append(StreamEvent::Kind::kNotification, "ana");
  hub.Pass();
  EXPECT_EQ(ana->Ids(), (std::vector<std::string>{"3", "4", "5"}));
}

TEST_F(HubTest, AnExpiredTokenEndsTheStream) {
  hub.Pass();
  const auto ana = Open({"ana", false}, {}, std::chrono::seconds{-1});
  hub.Pass();
  EXPECT_TRUE(ana->closed);
  EXPECT_NE(ana->frames.back().find("event: expired"), std::string::npos);
  EXPECT_EQ(hub.open_streams(), 0U);
}

TEST_F(HubTest, AStreamThePeerClosedIsDropped) {
  hub.Pass();
  const auto ana = Open({"ana", false});
  hub.Pass();
  EXPECT_EQ(hub.open_streams(), 1U);
  ana->closed = true;
  hub.Pass();
  EXPECT_EQ(hub.open_streams(), 0U);
}

TEST_F(HubTest, RoomIsLimited) {
  HubSettings settings;
  settings.max_streams = 1;
  StreamHub small{source, settings, registry};
  EXPECT_TRUE(small.HasRoom());
  small.Add({std::make_shared<FakeStream>(), {"ana", false}, {}, system_clock::now()});
  EXPECT_FALSE(small.HasRoom());
  small.CloseAll();
}

}  // namespace
}  // namespace comanda::notifications
