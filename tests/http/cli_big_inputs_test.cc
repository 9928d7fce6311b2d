// `perfcheck baseline show` and `compare` on a baseline of thousands of runs:
// memory must follow the file, not the histograms' whole range. Each stored
// run used to decode into a ~270 KB histogram (a 50 MB baseline took 6.3 GB
// in `baseline show`, over 12.5 GB in `compare`). Peak RSS is a count of
// pages, not a time: the bound does not depend on the machine's speed.
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_run.h"
#include "gtest/gtest.h"
#include "perfcheck/baseline.h"
#include "perfcheck/result.h"
#include "perfcheck/result_json.h"

namespace perfcheck::http::testing {
namespace {

namespace fs = std::filesystem;

class CliBigInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck-big-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun Perfcheck(const std::vector<std::string>& args) {
    return RunProgram(PERFCHECK_CLI_PATH, dir_, args, {},
                      std::chrono::seconds(120));
  }

  fs::path dir_;
};

// Samples from 1 us to 1 s: a histogram whose non-empty buckets spread over
// most of the range, as a run with outliers has.
Result WideResult(const std::string& name, int seed) {
  Result r(name);
  for (int i = 0; i < 400; ++i) {
    const Nanos v = 1'000 + static_cast<Nanos>((i * 7919 + seed) % 400) *
                                 (Nanos{1} << ((i + seed) % 20));
    r.latency.Record(v);
  }
  r.elapsed_ns = 1'000'000'000;
  // Kept decoded (non-empty buckets only): the children forked to run the
  // CLI start as copies of this process, and ru_maxrss counts that copy.
  r.latency = LatencyHistogram::Decode(r.latency.Encode()).value();
  return r;
}

TEST_F(CliBigInputsTest, ThousandsOfStoredRunsFitInLittleMemory) {
  constexpr int kEntries = 500;
  BaselineFile file;
  file.test_id = "Big.Suite";
  for (int e = 0; e < kEntries; ++e) {
    BaselineEntry& entry = file.entries["op" + std::to_string(e)];
    entry.name = "op" + std::to_string(e);
    for (int k = 0; k < static_cast<int>(BaselineEntry::kMaxRuns); ++k) {
      entry.runs.push_back(MakeBaselineRun(WideResult(entry.name, e + k)));
    }
  }
  const std::string text = BaselineFileToJson(file);
  const fs::path baseline = dir_ / "Big.Suite.json";
  {
    std::ofstream out(baseline, std::ios::binary);
    out << text;
  }
  const fs::path result = dir_ / "result.json";
  {
    std::ofstream out(result, std::ios::binary);
    out << ResultToJson(WideResult("op7", 7));
  }
  // 2,500 runs; decoded whole they would take 2,500 x ~270 KB = ~660 MB.
  const CliRun show = Perfcheck({"baseline", "show", baseline.string()});
  EXPECT_EQ(show.exit_code, 0) << show.how << "\n" << show.err;
  EXPECT_NE(show.out.find("op499"), std::string::npos);
  const CliRun compare =
      Perfcheck({"compare", baseline.string(), result.string()});
  EXPECT_TRUE(compare.exit_code == 0 || compare.exit_code == 1)
      << compare.how << "\n" << compare.err;
  EXPECT_NE(compare.out.find("op7"), std::string::npos) << compare.out;

#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the children's RSS is mostly its quarantine
  // (256 MB by default) and shadow memory: the bound says nothing there.
  // This build still runs both commands over the 2,500 runs above, which is
  // what ASan checks.
#else
  rusage children{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &children), 0);
  // ru_maxrss is in KiB: the peak of the largest child. The file is about
  // text.size() bytes; its JSON document takes a few times that.
  const long file_kib = static_cast<long>(text.size() / 1024);
  EXPECT_LT(children.ru_maxrss, 30 * 1024 + 12 * file_kib)
      << "file " << file_kib << " KiB";
#endif
}

}  // namespace
}  // namespace perfcheck::http::testing
