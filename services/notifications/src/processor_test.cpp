#include "processor.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "comanda/core/error.hpp"

namespace comanda::notifications {
namespace {

using std::chrono::milliseconds;

const char* const kEvent = R"({"eventId": "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56",
  "eventType": "OrderCreated", "eventVersion": 1, "occurredAt": "2026-03-01T12:30:00Z",
  "data": {"orderId": "11111111-2222-4333-8444-555555555555",
           "userId": "66666666-7777-4888-9999-000000000000", "userEmail": "ana@example.com",
           "userName": "Ana", "items": [], "totalCents": 1234, "currency": "EUR"}})";

class FakeStore final : public NotificationStore {
 public:
  Result Store(const OrderCreated& event, const std::string& text) override {
    ++calls;
    if (failing) throw std::runtime_error{"The database is unavailable."};
    if (fail) fail();
    texts.push_back(text);
    return ids.insert(event.event_id).second ? Result::kStored : Result::kDuplicate;
  }
  Result StoreStatus(const OrderStatusChanged& event, const std::string& text) override {
    ++calls;
    if (event.sequence <= sequence) return Result::kStale;
    sequence = event.sequence;
    texts.push_back(text);
    return ids.insert(event.event_id).second ? Result::kStored : Result::kDuplicate;
  }
  int sequence = 1;
  bool failing = false;        // an unclassified error: the retry path
  std::function<void()> fail;  // throws what a test wants
  int calls = 0;
  std::set<std::string> ids;
  std::vector<std::string> texts;
};

class EventProcessorTest : public ::testing::Test {
 protected:
  bus::Delivery Delivery(std::string body,
                         std::vector<std::pair<std::string, std::string>> headers = {}) const {
    bus::Delivery delivery;
    delivery.delivery_tag = 7;
    delivery.exchange = "orders";
    delivery.routing_key = "order.created";
    delivery.body = std::move(body);
    delivery.properties.message_id = "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56";
    delivery.properties.type = "OrderCreated";
    delivery.properties.content_type = "application/json";
    delivery.properties.headers = std::move(headers);
    delivery.properties.headers.emplace_back("x-correlation-id", "req-9");
    return delivery;
  }
  static std::string Header(const bus::Message& message, const std::string& name) {
    for (const auto& [key, value] : message.properties.headers) {
      if (key == name) return value;
    }
    return "<absent>";
  }

  FakeStore store;
  std::vector<bus::Message> published;
  core::metrics::Registry registry;
  EventProcessor processor{store, [this](const bus::Message& m) { published.push_back(m); },
                           RetryPolicy{3, milliseconds{200}, milliseconds{300'000}}, registry};
};

TEST_F(EventProcessorTest, StoresAValidEventOnce) {
  EXPECT_EQ(processor.Process(Delivery(kEvent)), EventProcessor::Outcome::kStored);
  EXPECT_EQ(processor.Process(Delivery(kEvent)), EventProcessor::Outcome::kDuplicate);
  EXPECT_EQ(store.ids.size(), 1u);
  EXPECT_TRUE(published.empty());
  const auto text = registry.Render();
  EXPECT_NE(text.find("notifications_events_consumed_total 2"), std::string::npos);
  EXPECT_NE(text.find("notifications_events_duplicate_total 1"), std::string::npos);
  EXPECT_NE(text.find("notifications_event_latency_seconds_count 1"), std::string::npos);
}

TEST_F(EventProcessorTest, SendsPoisonToTheDeadLetterQueueWithItsReason) {
  EXPECT_EQ(processor.Process(Delivery("{oops", {{"x-tenant", "t1"}})),
            EventProcessor::Outcome::kDeadLettered);
  ASSERT_EQ(published.size(), 1u);
  const auto& message = published[0];
  EXPECT_EQ(message.exchange, "");
  EXPECT_EQ(message.routing_key, kDeadLetterQueue);
  EXPECT_EQ(message.body, "{oops");
  EXPECT_EQ(message.properties.message_id, "0b6f3c9e-8a56-4e4c-9a8e-6c2f3c9e8a56");
  EXPECT_EQ(message.properties.correlation_id, "req-9");
  EXPECT_TRUE(message.properties.persistent);
  EXPECT_EQ(Header(message, "x-error-code"), "MALFORMED_JSON");
  EXPECT_NE(Header(message, "x-error-reason"), "<absent>");
  EXPECT_EQ(Header(message, "x-tenant"), "t1");
  EXPECT_EQ(Header(message, "x-original-routing-key"), "order.created");
  EXPECT_TRUE(message.properties.expiration.empty());
  EXPECT_TRUE(store.texts.empty());
}

TEST_F(EventProcessorTest, RetriesAFailedStoreWithAGrowingDelay) {
  store.failing = true;
  EXPECT_EQ(processor.Process(Delivery(kEvent)), EventProcessor::Outcome::kRetried);
  EXPECT_EQ(processor.Process(Delivery(kEvent, {{"x-attempt", "2"}})),
            EventProcessor::Outcome::kRetried);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].routing_key, kRetryQueue);
  EXPECT_EQ(Header(published[0], "x-attempt"), "2");
  EXPECT_EQ(published[0].properties.expiration, "200");
  EXPECT_EQ(Header(published[1], "x-attempt"), "3");
  EXPECT_EQ(published[1].properties.expiration, "400");
  EXPECT_EQ(Header(published[1], "x-last-error"), "The database is unavailable.");
  EXPECT_EQ(published[0].body, kEvent);
}

TEST_F(EventProcessorTest, DeadLettersAfterTheLastAttempt) {
  store.failing = true;
  EXPECT_EQ(processor.Process(Delivery(kEvent, {{"x-attempt", "3"}})),
            EventProcessor::Outcome::kDeadLettered);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].routing_key, kDeadLetterQueue);
  EXPECT_EQ(Header(published[0], "x-error-code"), "RETRIES_EXHAUSTED");
  EXPECT_NE(Header(published[0], "x-error-reason").find("The database is unavailable."),
            std::string::npos);
  EXPECT_EQ(Header(published[0], "x-attempt"), "3");
}

TEST_F(EventProcessorTest, KeepsTheFirstOriginHeadersAcrossRetries) {
  store.failing = true;
  processor.Process(Delivery(kEvent));
  bus::Delivery again = Delivery(kEvent);
  again.exchange = "";
  again.routing_key = std::string{kWorkQueue};
  again.properties.headers = published[0].properties.headers;
  processor.Process(again);
  const auto& headers = published[1].properties.headers;
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(),
                          [](const auto& h) { return h.first == "x-original-routing-key"; }),
            1);
  EXPECT_EQ(Header(published[1], "x-original-routing-key"), "order.created");
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(),
                          [](const auto& h) { return h.first == "x-attempt"; }),
            1);
}

TEST_F(EventProcessorTest, AnUnavailableDatabaseSpendsNoAttemptAndPublishesNothing) {
  store.fail = [] { throw core::Error{core::Errc::kUnavailable, "The database is unavailable."}; };
  EXPECT_EQ(processor.Process(Delivery(kEvent, {{"x-attempt", "3"}})),
            EventProcessor::Outcome::kDatabaseUnavailable);
  EXPECT_TRUE(published.empty());  // not retried, not dead-lettered, even on the last attempt
  EXPECT_EQ(processor.unavailable_error(), "The database is unavailable.");
  EXPECT_EQ(processor.ProcessAgain(Delivery(kEvent)),
            EventProcessor::Outcome::kDatabaseUnavailable);
  store.fail = nullptr;
  EXPECT_EQ(processor.ProcessAgain(Delivery(kEvent)), EventProcessor::Outcome::kStored);
  EXPECT_EQ(store.calls, 3);
  EXPECT_TRUE(published.empty());
  const auto text = registry.Render();
  EXPECT_NE(text.find("notifications_events_consumed_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("notifications_events_retried_total 0"), std::string::npos) << text;
  EXPECT_NE(text.find("notifications_events_stored_total 1"), std::string::npos) << text;
}

TEST_F(EventProcessorTest, ABrokenConnectionPausesToo) {
  store.fail = [] { throw pqxx::broken_connection{"server closed the connection unexpectedly"}; };
  EXPECT_EQ(processor.Process(Delivery(kEvent)), EventProcessor::Outcome::kDatabaseUnavailable);
  EXPECT_TRUE(published.empty());
}

TEST_F(EventProcessorTest, AConstraintErrorUsesTheRetriesThenTheDeadLetterQueue) {
  store.fail = [] { throw pqxx::check_violation{"violates check constraint", "", "23514"}; };
  EXPECT_EQ(processor.Process(Delivery(kEvent)), EventProcessor::Outcome::kRetried);
  EXPECT_EQ(processor.Process(Delivery(kEvent, {{"x-attempt", "3"}})),
            EventProcessor::Outcome::kDeadLettered);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].routing_key, kRetryQueue);
  EXPECT_EQ(Header(published[0], "x-last-error"), "violates check constraint");
  EXPECT_EQ(published[1].routing_key, kDeadLetterQueue);
  EXPECT_EQ(Header(published[1], "x-error-code"), "RETRIES_EXHAUSTED");
}

TEST_F(EventProcessorTest, LetsAFailedRepublishPropagateSoTheMessageIsNotAcked) {
  EventProcessor failing{store, [](const bus::Message&) { throw bus::BrokerError{"no confirm"}; },
                         RetryPolicy{}, registry};
  EXPECT_THROW(failing.Process(Delivery("not json")), bus::BrokerError);
}

}  // namespace
}  // namespace comanda::notifications
