#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

/// A small Prometheus registry: counters, histograms and callback gauges, rendered as text.
namespace comanda::core::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count.
class Counter {
 public:
  void Inc(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// Cumulative buckets with fixed upper bounds (seconds, usually).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value) noexcept;
  const std::vector<double>& bounds() const noexcept { return bounds_; }
  std::uint64_t BucketCount(std::size_t i) const noexcept;  // not cumulative
  std::uint64_t Count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double Sum() const noexcept;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (the +Inf one)
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

/// Default latency buckets, 1 ms to 10 s.
const std::vector<double>& LatencyBuckets();

/// Holds every metric of a process. Lookups take a lock; keep the returned reference when hot.
class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {},
                          const std::vector<double>& bounds = LatencyBuckets());
  /// A gauge read when rendered, e.g. the outbox backlog.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read);

  /// Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;      // key: rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;  // key: rendered labels
    std::function<double()> gauge;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const std::string& type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

/// `{a="x",b="y"}` with Prometheus escaping; empty for no labels.
std::string RenderLabels(const Labels& labels);

}  // namespace comanda::core::metrics
