#include "perfcheck/result.h"

#include <algorithm>

#include "perfcheck/redaction.h"

namespace perfcheck {

void Result::AddError(std::string_view category, std::string_view message) {
  ErrorCategory& c = errors[std::string(category)];
  ++c.count;
  if (c.examples.size() < kMaxErrorExamples) {
    std::string example(message.substr(0, kMaxExampleLength));
    // Identical messages teach nothing new; keep distinct examples.
    if (std::find(c.examples.begin(), c.examples.end(), example) ==
        c.examples.end()) {
      c.examples.push_back(std::move(example));
    }
  }
}

void Result::SetConfig(std::string_view key, std::string_view value) {
  config[std::string(key)] = RedactIfSecret(key, RedactUrl(value));
}

std::uint64_t Result::ErrorCount() const {
  std::uint64_t n = 0;
  for (const auto& [name, category] : errors) n += category.count;
  return n;
}

double Result::ErrorRate() const {
  const std::uint64_t total = TotalCount();
  return total == 0 ? 0.0 : static_cast<double>(ErrorCount()) / total;
}

double Result::Throughput() const {
  if (elapsed_ns <= 0) return 0.0;
  return static_cast<double>(OkCount()) * 1e9 / static_cast<double>(elapsed_ns);
}

void Result::Merge(const Result& other) {
  const bool was_empty = TotalCount() == 0 && name.empty();
  latency.Merge(other.latency);
  for (const auto& [category, e] : other.errors) {
    ErrorCategory& mine = errors[category];
    mine.count += e.count;
    for (const std::string& example : e.examples) {
      if (mine.examples.size() >= kMaxErrorExamples) break;
      if (std::find(mine.examples.begin(), mine.examples.end(), example) ==
          mine.examples.end()) {
        mine.examples.push_back(example);
      }
    }
  }
  elapsed_ns = std::max(elapsed_ns, other.elapsed_ns);
  series.Merge(other.series);
  // Parts of one run (per-thread results) carry the same monitored series:
  // keep one copy; different processes are all kept.
  for (const ProcessSeries& p : other.resources) {
    if (std::find(resources.begin(), resources.end(), p) == resources.end()) {
      resources.push_back(p);
    }
  }
  if (was_empty) {
    name = other.name;
    config = other.config;
    fingerprint = other.fingerprint;
    counts = other.counts;
  }
}

}  // namespace perfcheck
