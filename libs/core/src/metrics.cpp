#include "comanda/core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace comanda::core::metrics {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::ostringstream out;
  out << value;
  return out.str();
}

// Adds `le` to an already rendered label set.
std::string WithLe(const std::string& labels, const std::string& le) {
  const std::string pair = "le=\"" + le + "\"";
  if (labels.empty()) return "{" + pair + "}";
  return labels.substr(0, labels.size() - 1) + "," + pair + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_{std::move(bounds)},
      buckets_{std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)} {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::invalid_argument{"histogram bounds must be sorted"};
  }
}

void Histogram::Observe(double value) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  const auto index = static_cast<std::size_t>(it - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  const double micros = std::max(0.0, value) * 1e6;
  sum_micros_.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

std::uint64_t Histogram::BucketCount(std::size_t i) const noexcept {
  return buckets_[i].load(std::memory_order_relaxed);
}

double Histogram::Sum() const noexcept {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ',';
    out += labels[i].first + "=\"" + Escape(labels[i].second) + '"';
  }
  return out + '}';
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& help,
                                      const std::string& type) {
  auto& family = families_[name];
  if (family.type.empty()) {
    family.help = help;
    family.type = type;
  } else if (family.type != type) {
    throw std::logic_error{"metric " + name + " registered as " + family.type + " and " + type};
  }
  return family;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock{mutex_};
  auto& slot = FamilyFor(name, help, "counter").counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels, const std::vector<double>& bounds) {
  std::lock_guard lock{mutex_};
  auto& slot = FamilyFor(name, help, "histogram").histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void Registry::AddGauge(const std::string& name, const std::string& help,
                        std::function<double()> read) {
  std::lock_guard lock{mutex_};
  FamilyFor(name, help, "gauge").gauge = std::move(read);
}

std::string Registry::Render() const {
  std::ostringstream out;
  std::lock_guard lock{mutex_};
  for (const auto& [name, family] : families_) {
    out << "# HELP " << name << ' ' << family.help << "\n# TYPE " << name << ' ' << family.type
        << '\n';
    for (const auto& [labels, counter] : family.counters) {
      out << name << labels << ' ' << counter->Value() << '\n';
    }
    for (const auto& [labels, histogram] : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < histogram->bounds().size(); ++i) {
        cumulative += histogram->BucketCount(i);
        out << name << "_bucket" << WithLe(labels, FormatNumber(histogram->bounds()[i])) << ' '
            << cumulative << '\n';
      }
      cumulative += histogram->BucketCount(histogram->bounds().size());
      out << name << "_bucket" << WithLe(labels, "+Inf") << ' ' << cumulative << '\n';
      out << name << "_sum" << labels << ' ' << FormatNumber(histogram->Sum()) << '\n';
      out << name << "_count" << labels << ' ' << cumulative << '\n';
    }
    if (family.gauge) {
      double value = 0;
      try {
        value = family.gauge();
      } catch (...) {
        value = std::nan("");  // a gauge whose source is down reads as NaN, not as a failed scrape
      }
      out << name << ' ' << (std::isnan(value) ? "NaN" : FormatNumber(value)) << '\n';
    }
  }
  return out.str();
}

}  // namespace comanda::core::metrics
