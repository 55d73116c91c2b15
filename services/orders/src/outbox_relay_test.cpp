#include "outbox_relay.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace comanda::orders {
namespace {

OutboxRecord Record(std::string id) {
  return {std::move(id),
          "OrderCreated",
          "order.created",
          R"({"eventId":"x"})",
          "req-1",
          1700000000,
          ""};
}

TEST(ToMessage, CarriesEveryPropertyTheContractLists) {
  const auto message = ToMessage(Record("e-1"));
  EXPECT_EQ(message.exchange, "orders");
  EXPECT_EQ(message.routing_key, "order.created");
  EXPECT_EQ(message.body, R"({"eventId":"x"})");
  EXPECT_EQ(message.properties.message_id, "e-1");
  EXPECT_EQ(message.properties.type, "OrderCreated");
  EXPECT_EQ(message.properties.content_type, "application/json");
  EXPECT_EQ(message.properties.correlation_id, "req-1");
  EXPECT_TRUE(message.properties.persistent);
  EXPECT_EQ(message.properties.timestamp, 1700000000);
  EXPECT_TRUE(message.properties.headers.empty());  // no trace context stored: no traceparent
}

TEST(ToMessage, CarriesTheStoredTraceContext) {
  auto record = Record("e-1");
  record.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const auto message = ToMessage(record);
  ASSERT_EQ(message.properties.headers.size(), 1u);
  EXPECT_EQ(message.properties.headers[0].first, "traceparent");
  EXPECT_EQ(message.properties.headers[0].second, record.traceparent);
}

// The outbox in memory: what was claimed, marked and released, in order.
class FakeTable final : public OutboxTable {
 public:
  std::vector<OutboxRecord> rows;
  std::vector<std::string> log;
  std::vector<OutboxRecord> Claim(int limit) override {
    log.push_back("claim " + std::to_string(limit));
    return rows;
  }
  void MarkSent(const std::vector<OutboxRecord>& records) override {
    std::string ids;
    for (const auto& record : records) ids += record.id;
    log.push_back("sent " + ids);
  }
  void MarkFailed(const OutboxRecord& first, const std::string& error) override {
    log.push_back("failed " + first.id + ": " + error);
  }
  void Release() override { log.emplace_back("release"); }
  OutboxStats Stats() override { return {static_cast<double>(rows.size()), 0}; }
  void Reset() noexcept override { log.emplace_back("reset"); }
};

class FakePublisher final : public bus::BatchPublisher {
 public:
  std::vector<std::string> published;
  bool fail = false;
  void PublishAll(const std::vector<bus::Message>& messages) override {
    if (fail) throw bus::BrokerError{"nacked"};
    for (const auto& message : messages) published.push_back(message.properties.message_id);
  }
  void EnsureConnected() override {
    if (fail) throw bus::BrokerError{"refused"};
  }
  bool connected() const noexcept override { return !fail; }
};

double Counted(core::metrics::Registry& registry, const char* result) {
  return static_cast<double>(registry
                                 .GetCounter("orders_outbox_publish_total",
                                             "Outbox events published, by broker answer",
                                             {{"result", result}})
                                 .Value());
}

// What every relay test starts from: an empty table, a publisher that acks, and a relay that
// claims batches of 10 and polls every `poll`.
class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelay Relay(std::chrono::milliseconds poll = std::chrono::milliseconds{1}) {
    return OutboxRelay{table_, publisher_, wake_, {10, poll}, registry_};
  }

  FakeTable table_;
  FakePublisher publisher_;
  core::metrics::Registry registry_;
  core::Wakeup wake_;
};

TEST_F(OutboxRelayTest, PassMarksTheBatchSentOnlyAfterTheBrokerAckedIt) {
  table_.rows = {Record("a"), Record("b")};
  auto relay = Relay();
  EXPECT_EQ(relay.Pass({}), 2u);
  EXPECT_EQ(publisher_.published, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "sent ab"}));
  EXPECT_EQ(Counted(registry_, "acked"), 2);
}

TEST_F(OutboxRelayTest, PassAFailedPublishMarksNothingSentAndThrows) {
  table_.rows = {Record("a"), Record("b")};
  publisher_.fail = true;
  auto relay = Relay();
  EXPECT_THROW(relay.Pass({}), bus::BrokerError);
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "failed a: nacked"}));
  EXPECT_EQ(Counted(registry_, "failed"), 1);
  EXPECT_EQ(Counted(registry_, "acked"), 0);
}

TEST_F(OutboxRelayTest, PassNothingClaimedPublishesNothing) {
  auto relay = Relay();
  EXPECT_EQ(relay.Pass({}), 0u);
  EXPECT_TRUE(publisher_.published.empty());
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "release"}));
}

TEST_F(OutboxRelayTest, PassAStopRequestReleasesTheClaimUnsent) {
  table_.rows = {Record("a")};
  auto relay = Relay();
  std::stop_source stop;
  stop.request_stop();
  relay.Pass(stop.get_token());
  EXPECT_TRUE(publisher_.published.empty());
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "release"}));
}

TEST_F(OutboxRelayTest, ADatabaseFailureDropsTheConnectionABrokerFailureDoesNot) {
  auto relay = Relay();
  relay.Recover(bus::BrokerError{"nacked"});
  EXPECT_TRUE(table_.log.empty());
  relay.Recover(std::runtime_error{"server closed the connection"});
  EXPECT_EQ(table_.log, std::vector<std::string>{"reset"});
}

TEST_F(OutboxRelayTest, ABrokerThatIsDownWithNothingWaitingIsNotAFailure) {
  publisher_.fail = true;
  auto relay = Relay();
  relay.Step({});  // no claim while the broker is away; waits for work instead
  EXPECT_EQ(table_.log, std::vector<std::string>{});
  EXPECT_FALSE(relay.broker_connected());
  publisher_.fail = false;
  relay.Step({});
  EXPECT_TRUE(relay.broker_connected());
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "release"}));
}

TEST_F(OutboxRelayTest, AWakeUpEndsTheWaitForWorkAtOnce) {
  auto relay = Relay(std::chrono::seconds{30});
  std::jthread writer{[this] {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    wake_.Notify();  // a request committed an outbox row
  }};
  const auto started = std::chrono::steady_clock::now();
  relay.Step({});  // nothing to claim: waits for work, up to the 30 s poll
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{5});
  EXPECT_EQ(table_.log, (std::vector<std::string>{"claim 10", "release"}));
}

}  // namespace
}  // namespace comanda::orders
