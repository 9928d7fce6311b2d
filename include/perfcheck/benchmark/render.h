// A ComparisonReport as text: a terminal table, JSON for tools, Markdown for
// a pull-request comment.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_BENCHMARK_RENDER_H_
#define PERFCHECK_BENCHMARK_RENDER_H_

#include <string>

#include "perfcheck/benchmark/comparison.h"

namespace perfcheck {

// Renderers. RenderTable: fixed-width text, ANSI colours on verdicts when
// `color`. RenderJson: schema "perfcheck.compare/v1" (documented in
// docs/benchmark-gate.md). RenderMarkdown: a PR comment /
// $GITHUB_STEP_SUMMARY section; stable output (golden-tested).
std::string RenderTable(const ComparisonReport& report, bool color);
std::string RenderJson(const ComparisonReport& report);
std::string RenderMarkdown(const ComparisonReport& report);
// One row's change as the renderers print it: "+12.3% (+8.1% .. +16.0%)",
// error rates in points ("+2.00 pts (...)"), "-" when not computable.
std::string RenderChange(const MetricComparisonRow& row);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_RENDER_H_
