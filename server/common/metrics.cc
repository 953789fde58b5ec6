#include "server/common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace modelreg {
namespace {

std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  return out;
}

// `name{labels,extra}` (or `name{extra}`, `name`).
std::string SeriesName(const std::string& name, const std::string& labels, const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));  // integers as integers: le="10", not le="1e+01"
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  // The shortest text that reads back as the same double.
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof(shorter), "%.*g", precision, value);
    if (std::strtod(shorter, nullptr) == value) return shorter;
  }
  return buffer;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // The first bound >= value ("le": less than or equal); past the last bound: the +Inf bucket.
  const size_t index = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

const std::vector<double>& LatencyBucketsSeconds() {
  static const std::vector<double>* const buckets =
      new std::vector<double>{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

MetricsRegistry::Series& MetricsRegistry::SeriesOf(const std::string& name, Type type, const std::string& help,
                                                   const MetricLabels& labels) {
  auto [family, created] = families_.try_emplace(name);
  if (created) {
    family->second.type = type;
    family->second.help = help;
  }
  return family->second.series[RenderLabels(labels)];
}

Counter* MetricsRegistry::GetCounter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series& series = SeriesOf(name, Type::kCounter, help, labels);
  if (series.counter == nullptr) series.counter = std::make_unique<Counter>();
  return series.counter.get();
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const std::string& help, const MetricLabels& labels,
                                         const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series& series = SeriesOf(name, Type::kHistogram, help, labels);
  if (series.histogram == nullptr) series.histogram = std::make_unique<Histogram>(bounds);
  return series.histogram.get();
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help, const MetricLabels& labels,
                               std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mutex_);
  SeriesOf(name, Type::kGauge, help, labels).read = std::move(read);
}

void MetricsRegistry::AddCounterCallback(const std::string& name, const std::string& help, const MetricLabels& labels,
                                         std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mutex_);
  SeriesOf(name, Type::kCounter, help, labels).read = std::move(read);
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter" : family.type == Type::kGauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, series] : family.series) {
      if (series.histogram != nullptr) {
        const Histogram::Snapshot snapshot = series.histogram->Read();
        const std::vector<double>& bounds = series.histogram->bounds();
        for (size_t i = 0; i <= bounds.size(); ++i) {
          const std::string le = i < bounds.size() ? FormatSampleValue(bounds[i]) : "+Inf";
          out += SeriesName(name + "_bucket", labels, "le=\"" + le + "\"") + " " +
                 std::to_string(snapshot.cumulative[i]) + "\n";
        }
        out += SeriesName(name + "_sum", labels) + " " + FormatSampleValue(snapshot.sum) + "\n";
        out += SeriesName(name + "_count", labels) + " " + std::to_string(snapshot.cumulative.back()) + "\n";
      } else if (series.counter != nullptr) {
        out += SeriesName(name, labels) + " " + std::to_string(series.counter->value()) + "\n";
      } else if (series.read) {
        out += SeriesName(name, labels) + " " + FormatSampleValue(series.read()) + "\n";
      }
    }
  }
  return out;
}

}  // namespace modelreg
