// A small Prometheus metrics registry: counters, histograms with fixed buckets, and gauges (or counters) read from a
// callback when scraped, rendered in the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
//
// Recording is lock-free: a Counter or Histogram is a set of relaxed atomics, and a series, once looked up, keeps its
// address for the registry's lifetime, so a hot path looks it up once and then only adds. Looking a series up and
// rendering take the registry's mutex; callbacks run under it and must not call back into the registry.
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

namespace modelreg {

// Label names and values of one series, in the order given (names: [a-zA-Z_][a-zA-Z0-9_]*).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> bounds);
  // One bucket increment and one add to the sum.
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };
  // The buckets read once each; `_count` is the +Inf bucket, so the two always agree.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Call durations in seconds: 0.5 ms .. 10 s.
const std::vector<double>& LatencyBucketsSeconds();

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The series `name{labels}`, created on first use with `help`; the same name and labels give the same series.
  // A name keeps the type and help of its first registration.
  Counter* GetCounter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help, const MetricLabels& labels,
                          const std::vector<double>& bounds);
  // A series whose value `read` returns when scraped: a gauge, or a counter (name ending in _total) kept elsewhere.
  // Registering the same name and labels again replaces the callback.
  void AddGauge(const std::string& name, const std::string& help, const MetricLabels& labels,
                std::function<double()> read);
  void AddCounterCallback(const std::string& name, const std::string& help, const MetricLabels& labels,
                          std::function<double()> read);

  // Every family in name order, each with # HELP and # TYPE and its series.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, Series> series;  // by rendered label set `a="x",b="y"`
  };
  Series& SeriesOf(const std::string& name, Type type, const std::string& help, const MetricLabels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// The text format's escaping of a label value (\\, \", \n) and a sample value (NaN, +Inf, -Inf, shortest round trip).
std::string EscapeLabelValue(const std::string& value);
std::string FormatSampleValue(double value);

}  // namespace modelreg
