#include "order_service.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::orders {
namespace {

constexpr auto kUser = "7b1f3b0e-0000-4000-8000-000000000001";
constexpr auto kProduct = "7b1f3b0e-0000-4000-8000-0000000000aa";

// Orders and keys in memory; `race` makes the next Insert lose to a concurrent request.
class FakeStore final : public OrderStore {
 public:
  std::map<std::string, Order> orders;
  std::map<std::string, IdempotencyRecord> keys;
  std::optional<IdempotencyRecord> race;
  int inserts = 0;

  std::variant<Order, IdempotencyRecord> Insert(const Order& order,
                                                const std::optional<std::string>& key,
                                                const std::string& request_hash,
                                                const OutboxEvent&) override {
    if (race) return *race;
    ++inserts;
    orders[order.id] = order;
    if (key) keys[*key] = {order.id, request_hash};
    return order;
  }
  std::optional<IdempotencyRecord> FindIdempotency(const std::string&,
                                                   const std::string& key) override {
    const auto found = keys.find(key);
    return found == keys.end() ? std::nullopt : std::optional{found->second};
  }
  std::optional<Order> Find(const std::string& user_id, const std::string& order_id) override {
    const auto found = orders.find(order_id);
    if (found == orders.end() || found->second.user_id != user_id) return std::nullopt;
    return found->second;
  }
  std::vector<Order> List(const std::string&, int) override { return {}; }
  std::optional<Order> FindAny(const std::string&) override { return std::nullopt; }
  std::optional<Order> Move(
      const std::string&,
      const std::function<std::optional<OutboxEvent>(const Order&, Transition&)>&) override {
    return std::nullopt;
  }
  std::vector<Order> ListFiltered(const std::optional<std::string>&,
                                  const std::vector<std::string>&, std::optional<std::int64_t>,
                                  int) override {
    return {};
  }
};

class FakeLookups final : public OrderLookups {
 public:
  int calls = 0;
  Lookups LookUp(std::string_view, const std::string& user_id,
                 const std::vector<std::string>& product_ids) override {
    ++calls;
    Lookups out{{user_id, "ana@example.com", "Ana"}, {}};
    for (const auto& id : product_ids) out.products[id] = Product{id, "Burger", 899, "EUR", true};
    return out;
  }
};

OrderInput Input(int quantity) {
  return {{{kProduct, quantity, 0}}, "Calle Mayor 1", std::nullopt};
}

TEST(OrderServicePlace, ARepeatWithTheSameKeyAndBodyReturnsTheFirstOrderWithoutCalls) {
  FakeStore store;
  FakeLookups lookups;
  OrderService service{store, lookups};
  const auto first = service.Place(kUser, "Bearer t", Input(2), "key-1", "req-1");
  const auto again = service.Place(kUser, "Bearer t", Input(2), "key-1", "req-2");
  EXPECT_FALSE(first.replayed);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.order.id, first.order.id);
  EXPECT_EQ(store.inserts, 1);
  EXPECT_EQ(lookups.calls, 1);  // the replay answers from the database alone
}

TEST(OrderServicePlace, TheSameKeyWithAnotherBodyIs422) {
  FakeStore store;
  FakeLookups lookups;
  OrderService service{store, lookups};
  service.Place(kUser, "Bearer t", Input(2), "key-1", "req-1");
  try {
    service.Place(kUser, "Bearer t", Input(3), "key-1", "req-2");
    FAIL() << "expected IDEMPOTENCY_KEY_REUSED";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.errc(), core::Errc::kUnprocessable);
  }
  EXPECT_EQ(store.inserts, 1);
}

TEST(OrderServicePlace, LosingTheKeyRaceAnswersWithTheWinnersOrder) {
  FakeStore store;
  FakeLookups lookups;
  OrderService service{store, lookups};
  const auto winner = service.Place(kUser, "Bearer t", Input(2), std::nullopt, "req-1");
  // A concurrent request with the same key committed between our lookup and our insert.
  store.race = IdempotencyRecord{winner.order.id, RequestHash(Input(2))};
  const auto placed = service.Place(kUser, "Bearer t", Input(2), "key-1", "req-2");
  EXPECT_TRUE(placed.replayed);
  EXPECT_EQ(placed.order.id, winner.order.id);
  EXPECT_EQ(store.inserts, 1);
}

TEST(OrderServicePlace, LosingTheKeyRaceWithAnotherBodyIs422) {
  FakeStore store;
  FakeLookups lookups;
  OrderService service{store, lookups};
  const auto winner = service.Place(kUser, "Bearer t", Input(2), std::nullopt, "req-1");
  store.race = IdempotencyRecord{winner.order.id, RequestHash(Input(5))};
  EXPECT_THROW(service.Place(kUser, "Bearer t", Input(2), "key-1", "req-2"), core::Error);
}

}  // namespace
}  // namespace comanda::orders
