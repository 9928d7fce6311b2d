#include "perfcheck/time_series.h"

#include <algorithm>
#include <stdexcept>

namespace perfcheck {
namespace {

void Summarize(const LatencyHistogram& h, Interval* interval) {
  interval->p50_ns = h.Percentile(50);
  interval->p95_ns = h.Percentile(95);
  interval->p99_ns = h.Percentile(99);
  interval->latency = h.Encode();
}

LatencyHistogram DecodeOrEmpty(const std::string& encoded) {
  if (encoded.empty()) return LatencyHistogram(TimeSeries::kSignificantDigits);
  auto h = LatencyHistogram::Decode(encoded);
  if (!h.ok()) {
    throw std::invalid_argument("TimeSeries: interval histogram: " +
                                h.status().message());
  }
  return std::move(h).value();
}

}  // namespace

TimeSeries::TimeSeries(std::chrono::nanoseconds interval,
                       std::size_t max_intervals)
    : interval_ns_(interval.count()), max_intervals_(max_intervals) {
  if (interval_ns_ <= 0) {
    throw std::invalid_argument("TimeSeries: interval must be > 0, got " +
                                std::to_string(interval_ns_) + " ns");
  }
  if (max_intervals_ < 2) {
    throw std::invalid_argument("TimeSeries: max_intervals must be >= 2, got " +
                                std::to_string(max_intervals_));
  }
}

void TimeSeries::Record(Nanos offset_ns, Nanos latency_ns, bool ok) {
  const Nanos offset = std::max<Nanos>(offset_ns, 0);
  std::int64_t index = offset / interval_ns_;
  if (index > open_index_) {
    if (open_index_ >= 0) CloseOpen();
    // Coarsen only with nothing open, so an open interval never straddles
    // two of the new length. The cap is on the index, not on the count, so
    // every series of one run coarsens at the same offsets.
    if (static_cast<std::uint64_t>(index) >= max_intervals_) {
      Nanos coarser = interval_ns_;
      while (static_cast<std::uint64_t>(offset / coarser) >= max_intervals_) {
        coarser *= 2;
      }
      Coarsen(coarser);
      index = offset / interval_ns_;
    }
    open_index_ = index;
  }
  if (!open_latency_) open_latency_.emplace(kSignificantDigits);
  if (ok) {
    ++open_ok_;
    open_latency_->Record(latency_ns);
  } else {
    ++open_errors_;
  }
}

void TimeSeries::CloseOpen() {
  // Intervals with no completion between two busy ones are kept (zeros), so
  // a stall shows as a gap in the series rather than disappearing.
  const Nanos start = open_index_ * interval_ns_;
  Nanos next =
      intervals_.empty() ? start : intervals_.back().start_ns + interval_ns_;
  while (next < start) {
    Interval empty;
    empty.start_ns = next;
    intervals_.push_back(std::move(empty));
    next += interval_ns_;
  }
  Interval interval;
  interval.start_ns = start;
  interval.ok = open_ok_;
  interval.errors = open_errors_;
  Summarize(*open_latency_, &interval);
  intervals_.push_back(std::move(interval));
  open_ok_ = 0;
  open_errors_ = 0;
  open_latency_->Clear();
}

void TimeSeries::Finish() {
  if (open_index_ >= 0 && (open_ok_ > 0 || open_errors_ > 0)) CloseOpen();
  open_index_ = -1;
}

void TimeSeries::Coarsen(Nanos interval_ns) {
  if (interval_ns <= 0 || interval_ns % interval_ns_ != 0) {
    throw std::invalid_argument(
        "TimeSeries::Coarsen: " + std::to_string(interval_ns) +
        " ns is not a whole multiple of " + std::to_string(interval_ns_) +
        " ns");
  }
  if (interval_ns == interval_ns_) return;
  std::vector<Interval> coarse;
  LatencyHistogram h(kSignificantDigits);
  bool recorded = false;  // gap fillers (no histogram) stay without one
  auto close = [&] {
    if (recorded) Summarize(h, &coarse.back());
    h.Clear();
    recorded = false;
  };
  for (const Interval& in : intervals_) {
    const Nanos start = in.start_ns / interval_ns * interval_ns;
    if (coarse.empty() || coarse.back().start_ns != start) {
      if (!coarse.empty()) close();
      Interval c;
      c.start_ns = start;
      coarse.push_back(std::move(c));
    }
    coarse.back().ok += in.ok;
    coarse.back().errors += in.errors;
    if (!in.latency.empty()) {
      h.Merge(DecodeOrEmpty(in.latency));
      recorded = true;
    }
  }
  if (!coarse.empty()) close();
  intervals_ = std::move(coarse);
  interval_ns_ = interval_ns;
}

void TimeSeries::Merge(const TimeSeries& other) {
  if (other.interval_ns_ != interval_ns_) {
    const Nanos hi = std::max(interval_ns_, other.interval_ns_);
    const Nanos lo = std::min(interval_ns_, other.interval_ns_);
    if (hi % lo != 0) {
      throw std::invalid_argument(
          "TimeSeries::Merge: interval lengths differ and neither is a "
          "multiple of the other (" +
          std::to_string(interval_ns_) + " ns vs " +
          std::to_string(other.interval_ns_) + " ns)");
    }
    if (other.interval_ns_ < interval_ns_) {
      TimeSeries coarse = other;
      coarse.Coarsen(interval_ns_);
      Merge(coarse);
      return;
    }
    Coarsen(other.interval_ns_);
  }
  if (other.intervals_.empty()) return;
  if (intervals_.empty()) {
    intervals_ = other.intervals_;
    return;
  }
  const Nanos first =
      std::min(intervals_.front().start_ns, other.intervals_.front().start_ns);
  const Nanos last =
      std::max(intervals_.back().start_ns, other.intervals_.back().start_ns);
  std::vector<Interval> merged;
  merged.reserve(static_cast<std::size_t>((last - first) / interval_ns_ + 1));
  auto a = intervals_.begin();
  auto b = other.intervals_.begin();
  for (Nanos start = first; start <= last; start += interval_ns_) {
    const bool in_a = a != intervals_.end() && a->start_ns == start;
    const bool in_b = b != other.intervals_.end() && b->start_ns == start;
    if (in_a && in_b) {
      Interval m;
      m.start_ns = start;
      m.ok = a->ok + b->ok;
      m.errors = a->errors + b->errors;
      LatencyHistogram h = DecodeOrEmpty(a->latency);
      h.Merge(DecodeOrEmpty(b->latency));
      Summarize(h, &m);
      merged.push_back(std::move(m));
    } else if (in_a) {
      merged.push_back(*a);
    } else if (in_b) {
      merged.push_back(*b);
    } else {
      Interval empty;
      empty.start_ns = start;
      merged.push_back(std::move(empty));
    }
    if (in_a) ++a;
    if (in_b) ++b;
  }
  intervals_ = std::move(merged);
}

TimeSeries TimeSeries::FromIntervals(Nanos interval_ns,
                                     std::vector<Interval> intervals) {
  TimeSeries ts{std::chrono::nanoseconds(interval_ns)};
  ts.intervals_ = std::move(intervals);
  return ts;
}

}  // namespace perfcheck
