#include "perfcheck/gtest/listener.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/allocation_counter.h"
#include "perfcheck/deterministic_heap.h"
#include "perfcheck/format.h"
#include "perfcheck/gtest/flags.h"
#include "perfcheck/instruction_counter.h"
#include "perfcheck/result_json.h"

namespace perfcheck::testing {
namespace {

std::string Sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

std::string LatencyCell(const Result& r, double percent) {
  if (r.OkCount() == 0) return "-";
  return FormatNanos(static_cast<double>(r.latency.Percentile(percent)));
}

}  // namespace

std::string ResultFileName(std::string_view test_id, std::string_view name) {
  std::string base = test_id.empty()
                         ? std::string(name)
                         : std::string(test_id) + "." + std::string(name);
  return Sanitize(base) + ".json";
}

std::string SummaryTable(const std::vector<RegisteredResult>& results) {
  if (results.empty()) return "";
  // Times mean nothing in an instruction-count run (they are Valgrind's):
  // its table shows counts instead. Allocations per operation get a column
  // whenever some result has them.
  bool instructions = false;
  bool allocations = false;
  for (const RegisteredResult& e : results) {
    instructions = instructions || e.result.counts.instructions.has_value();
    allocations = allocations || e.result.counts.allocations.has_value();
  }
  const bool times = !instructions;
  std::vector<std::string> header = {"test", "result", "n", "errors"};
  if (times) {
    header.insert(header.end(), {"p50", "p95", "p99", "max", "throughput"});
  } else {
    header.push_back("instructions/op");
  }
  if (allocations) header.insert(header.end(), {"allocs/op", "bytes/op"});
  header.push_back("verdict");
  auto count_cell = [](const std::optional<double>& v) {
    return v ? FormatCount(*v) : std::string("-");
  };
  std::vector<std::vector<std::string>> rows = {header};
  for (const RegisteredResult& e : results) {
    const Result& r = e.result;
    std::vector<std::string> row = {e.test_id.empty() ? "-" : e.test_id,
                                    r.name.empty() ? "(unnamed)" : r.name,
                                    std::to_string(r.OkCount()),
                                    std::to_string(r.ErrorCount())};
    if (times) {
      row.insert(row.end(),
                 {LatencyCell(r, 50), LatencyCell(r, 95), LatencyCell(r, 99),
                  LatencyCell(r, 100), FormatRate(r.Throughput())});
    } else {
      row.push_back(count_cell(r.counts.instructions));
    }
    if (allocations) {
      row.push_back(count_cell(r.counts.allocations));
      row.push_back(count_cell(r.counts.allocated_bytes));
    }
    row.push_back(e.Verdict());
    rows.push_back(std::move(row));
  }
  const std::size_t last = header.size() - 1;
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  // Text columns left-aligned, numbers right-aligned, as people read them.
  auto is_text = [last](std::size_t c) { return c <= 1 || c == last; };
  std::string out =
      "perfcheck summary (" + std::to_string(results.size()) +
      (results.size() == 1 ? " result" : " results") +
      (instructions ? ", instruction counts under Valgrind)\n" : ")\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      const std::string& cell = rows[i][c];
      const std::string pad(width[c] - cell.size(), ' ');
      if (c > 0) line += "  ";
      line += is_text(c) ? cell + pad : pad + cell;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
    if (i == 0) {
      std::size_t total = 0;
      for (std::size_t w : width) total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  return out;
}

Status WriteResultFiles(const std::vector<RegisteredResult>& results,
                        const std::filesystem::path& dir) {
  Status first;
  for (const RegisteredResult& e : results) {
    const auto path = dir / ResultFileName(e.test_id, e.result.name);
    Status s = WriteResultFile(e.result, path);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

void PerfListener::OnTestStart(const ::testing::TestInfo& /*test_info*/) {
  if (!InstructionCountingRequested()) return;
  if (!AllocationCountingAvailable()) {
    static std::once_flag once;
    std::call_once(once, [] {
      std::cout << "perfcheck: instruction counts may depend on this "
                   "machine's paths and environment: link "
                   "perfcheck::allocation_hooks (perfcheck::gtest_main does) "
                   "for a deterministic heap\n";
    });
    return;
  }
  if (!BeginDeterministicHeapEpoch()) {
    static std::once_flag once;
    std::call_once(once, [] {
      std::cout << "perfcheck: no deterministic heap (its address range is "
                   "taken, or more than 64 tests ran in this process): "
                   "instruction counts may depend on this machine's paths "
                   "and environment\n";
    });
  }
}

void PerfListener::OnTestProgramEnd(const ::testing::UnitTest& /*unit_test*/) {
  std::ostream& out = out_ != nullptr ? *out_ : std::cout;
  const std::vector<RegisteredResult> results = RegisteredResults();
  if (results.empty()) return;
  out << "\n" << SummaryTable(results);
  const std::filesystem::path dir = ResultsDir();
  Status s = WriteResultFiles(results, dir);
  if (s.ok()) {
    out << "perfcheck: " << results.size() << " result file"
        << (results.size() == 1 ? "" : "s") << " written to " << dir.string()
        << "\n";
  } else {
    out << "perfcheck: cannot write result files: " << s.message() << "\n";
  }
  out << std::flush;
}

void InstallPerfListener() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  ::testing::UnitTest::GetInstance()->listeners().Append(new PerfListener());
}

}  // namespace perfcheck::testing
