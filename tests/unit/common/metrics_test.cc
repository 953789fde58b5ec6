#include "server/common/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace modelreg {
namespace {

TEST(HistogramTest, BucketsAreCumulativeAndBoundsInclusive) {
  Histogram histogram({1, 2, 5});
  for (const double value : {0.5, 1.0, 1.5, 2.0, 4.0, 9.0}) histogram.Observe(value);
  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative, (std::vector<uint64_t>{2, 4, 5, 6}));  // le=1, le=2, le=5, +Inf
  EXPECT_DOUBLE_EQ(snapshot.sum, 18.0);
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  Histogram histogram(LatencyBucketsSeconds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histogram] {
      for (int i = 0; i < 10000; ++i) histogram.Observe(0.001);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative.back(), 40000u);
  EXPECT_NEAR(snapshot.sum, 40.0, 1e-6);
}

TEST(MetricsRegistryTest, RendersTextExpositionFormat) {
  MetricsRegistry registry;
  Counter* not_found = registry.GetCounter("calls_total", "Calls", {{"method", "a/B"}, {"code", "NOT_FOUND"}});
  not_found->Add(2);
  EXPECT_EQ(registry.GetCounter("calls_total", "Calls", {{"method", "a/B"}, {"code", "NOT_FOUND"}}), not_found);
  registry.GetCounter("calls_total", "Calls", {{"method", "a/B"}, {"code", "OK"}})->Add();
  registry.GetHistogram("duration_seconds", "Durations\nin seconds", {{"method", "a/B"}}, {0.5, 10})->Observe(0.25);
  registry.AddGauge("up", "Up", {}, [] { return 1; });
  registry.AddCounterCallback("hits_total", "Hits", {}, [] { return 7; });
  EXPECT_EQ(registry.Render(),
            "# HELP calls_total Calls\n"
            "# TYPE calls_total counter\n"
            "calls_total{method=\"a/B\",code=\"NOT_FOUND\"} 2\n"
            "calls_total{method=\"a/B\",code=\"OK\"} 1\n"
            "# HELP duration_seconds Durations\\nin seconds\n"
            "# TYPE duration_seconds histogram\n"
            "duration_seconds_bucket{method=\"a/B\",le=\"0.5\"} 1\n"
            "duration_seconds_bucket{method=\"a/B\",le=\"10\"} 1\n"
            "duration_seconds_bucket{method=\"a/B\",le=\"+Inf\"} 1\n"
            "duration_seconds_sum{method=\"a/B\"} 0.25\n"
            "duration_seconds_count{method=\"a/B\"} 1\n"
            "# HELP hits_total Hits\n"
            "# TYPE hits_total counter\n"
            "hits_total 7\n"
            "# HELP up Up\n"
            "# TYPE up gauge\n"
            "up 1\n");
}

TEST(MetricsRegistryTest, EscapesLabelValuesAndFormatsSpecialValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(FormatSampleValue(0.1), "0.1");
  EXPECT_EQ(FormatSampleValue(10), "10");
  EXPECT_EQ(FormatSampleValue(-3), "-3");
  EXPECT_EQ(FormatSampleValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatSampleValue(0.0 / 0.0), "NaN");
  EXPECT_EQ(std::stod(FormatSampleValue(1.0 / 3.0)), 1.0 / 3.0);
}

}  // namespace
}  // namespace modelreg
