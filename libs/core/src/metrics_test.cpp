#include "comanda/core/metrics.hpp"

#include <gtest/gtest.h>

namespace comanda::core::metrics {
namespace {

TEST(Registry, RendersCountersWithLabels) {
  Registry registry;
  registry.GetCounter("http_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}})
      .Inc(3);
  const auto text = registry.Render();
  EXPECT_NE(text.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"/a\",status=\"200\"} 3"), std::string::npos);
}

TEST(Registry, ReturnsTheSameCounterForTheSameLabels) {
  Registry registry;
  auto& a = registry.GetCounter("c", "h", {{"k", "v"}});
  auto& b = registry.GetCounter("c", "h", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

TEST(Registry, RendersCumulativeHistogramBuckets) {
  Registry registry;
  auto& histogram = registry.GetHistogram("lat", "Latency.", {{"r", "x"}}, {0.1, 1});
  histogram.Observe(0.05);
  histogram.Observe(0.5);
  histogram.Observe(5);
  const auto text = registry.Render();
  EXPECT_NE(text.find("lat_bucket{r=\"x\",le=\"0.1\"} 1"), std::string::npos);
  EXPECT_NE(text.find("lat_bucket{r=\"x\",le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("lat_bucket{r=\"x\",le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("lat_count{r=\"x\"} 3"), std::string::npos);
  EXPECT_NE(text.find("lat_sum{r=\"x\"} 5.55"), std::string::npos);
}

TEST(Registry, ValuesOnABucketBoundGoIntoThatBucket) {
  Histogram histogram{{1, 2}};
  histogram.Observe(1);
  EXPECT_EQ(histogram.BucketCount(0), 1u);
}

TEST(Registry, ReadsGaugesWhenRendering) {
  Registry registry;
  double backlog = 7;
  registry.AddGauge("outbox_backlog", "Rows.", [&] { return backlog; });
  EXPECT_NE(registry.Render().find("outbox_backlog 7"), std::string::npos);
  backlog = 0;
  EXPECT_NE(registry.Render().find("outbox_backlog 0"), std::string::npos);
}

TEST(Registry, AFailingGaugeRendersAsNaN) {
  Registry registry;
  registry.AddGauge("g", "h", []() -> double { throw std::runtime_error{"down"}; });
  EXPECT_NE(registry.Render().find("g NaN"), std::string::npos);
}

TEST(RenderLabels, EscapesQuotesBackslashesAndNewlines) {
  EXPECT_EQ(RenderLabels({{"a", "x\"y\\z\n"}}), "{a=\"x\\\"y\\\\z\\n\"}");
  EXPECT_EQ(RenderLabels({}), "");
}

TEST(Registry, RefusesOneNameWithTwoTypes) {
  Registry registry;
  registry.GetCounter("m", "h");
  EXPECT_THROW(registry.GetHistogram("m", "h"), std::logic_error);
}

}  // namespace
}  // namespace comanda::core::metrics
