#include "comanda/cache/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace comanda::cache {
namespace {

TEST(SingleFlight, RunsOneLoadForConcurrentCallers) {
  SingleFlight<int> flight;
  std::atomic<int> loads{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  auto load = [&] {
    ++loads;
    released.wait();  // hold the flight open until every follower has joined it
    return 42;
  };
  std::vector<int> results(8);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = flight.Do("k", load).first; });
  while (loads.load() == 0) std::this_thread::yield();  // the leader is inside load
  for (std::size_t i = 1; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = flight.Do("k", load).first; });
  }
  while (flight.joined() < 7) std::this_thread::yield();
  release.set_value();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(loads.load(), 1);
  for (const int result : results) EXPECT_EQ(result, 42);
}

TEST(SingleFlight, SharesTheLeadersException) {
  SingleFlight<int> flight;
  EXPECT_THROW(flight.Do("k", []() -> int { throw std::runtime_error{"db down"}; }),
               std::runtime_error);
  // The failed flight is over: the next call loads again.
  EXPECT_EQ(flight.Do("k", [] { return 7; }).first, 7);
}

TEST(SingleFlight, KeysAreIndependent) {
  SingleFlight<int> flight;
  EXPECT_EQ(flight.Do("a", [] { return 1; }), std::make_pair(1, true));
  EXPECT_EQ(flight.Do("b", [] { return 2; }), std::make_pair(2, true));
}

}  // namespace
}  // namespace comanda::cache
