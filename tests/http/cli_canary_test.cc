// The secrets canary sweep over every output of the perfcheck binary: for
// each way a credential is given to `perfcheck load` and each place a server
// may echo it back, no part of it (raw, base64 or percent-encoded) reaches
// stdout, stderr, --json, --csv or --result, nor what `perfcheck compare`
// and `perfcheck baseline` make of that result; nor the outputs of a gtest
// perf test (JUnit XML, results and candidate files) loading such a server.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cli_run.h"
#include "core/base64.h"
#include "gtest/gtest.h"
#include "perfcheck/http/request.h"
#include "perfcheck/percent_encoding.h"
#include "test_servers.h"

namespace perfcheck::http::testing {
namespace {

namespace fs = std::filesystem;
using Env = std::vector<std::pair<std::string, std::string>>;

// Every secret below starts with "CANARY" and has characters that
// percent-encoding changes ('/', '+'), so its raw, decoded and
// percent-encoded forms all contain "CANARY". Basic and key:secret
// credentials put a 6-byte prefix ("key12:", "alice:") before the secret, so
// their base64 form contains the base64 of "CANARY" ("Q0FOQVJZ") whole.
constexpr char kLeakMarker[] = "CANARY";
constexpr char kBase64LeakMarker[] = "Q0FOQVJZ";

void ExpectNoSecret(const std::string& where, const std::string& text) {
  EXPECT_EQ(text.find(kLeakMarker), std::string::npos)
      << where << " shows a secret:\n"
      << text;
  EXPECT_EQ(text.find(kBase64LeakMarker), std::string::npos)
      << where << " shows a base64-encoded secret:\n"
      << text;
}

// Every regular file under `dir`, checked.
void ExpectNoSecretInTree(const fs::path& dir) {
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) ExpectNoSecret(e.path().string(), ReadFile(e));
  }
}

// Where the server puts what it echoes.
enum class Position {
  kStatusLine,       // "HTTP/1.1 <echo>": malformed status line
  kReasonPhrase,     // "HTTP/1.1 401 <echo>": a valid 401
  kHeaderValue,      // "WWW-Authenticate: <echo>" on a 403
  kMalformedHeader,  // ": <echo>": a header line without a name
  kContentLength,    // "Content-Length: <echo>"
  kChunkSize,        // "<echo>" where a chunk size belongs
  kErrorBody,        // the body of a 500
};

struct PositionCase {
  Position position;
  const char* name;
  // What the report must say, so the echo was really parsed.
  const char* reported;
};

constexpr PositionCase kPositions[] = {
    {Position::kStatusLine, "status line", "malformed status line"},
    {Position::kReasonPhrase, "reason phrase", "HTTP 401 from GET"},
    {Position::kHeaderValue, "header value", "HTTP 403 from GET"},
    {Position::kMalformedHeader, "malformed header", "malformed header line"},
    {Position::kContentLength, "Content-Length", "bad Content-Length"},
    {Position::kChunkSize, "chunk size", "chunk size"},
    {Position::kErrorBody, "error body", "HTTP 500 from GET"},
};

std::string Response(Position p, const std::string& echo) {
  switch (p) {
    case Position::kStatusLine:
      return "HTTP/1.1 " + echo + "\r\n\r\n";
    case Position::kReasonPhrase:
      return "HTTP/1.1 401 " + echo + "\r\nContent-Length: 0\r\n\r\n";
    case Position::kHeaderValue:
      return "HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: " + echo +
             "\r\nContent-Length: 0\r\n\r\n";
    case Position::kMalformedHeader:
      return "HTTP/1.1 200 OK\r\n: " + echo + "\r\nContent-Length: 0\r\n\r\n";
    case Position::kContentLength:
      return "HTTP/1.1 200 OK\r\nContent-Length: " + echo + "\r\n\r\n";
    case Position::kChunkSize:
      return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + echo +
             "\r\n";
    case Position::kErrorBody: {
      const std::string body = "invalid credentials: " + echo;
      return "HTTP/1.1 500 Internal Server Error\r\nContent-Type: "
             "text/plain\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }
  }
  return "";
}

// The value of header `name` in request head `head`, "" when absent.
std::string HeaderValue(const std::string& head, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::size_t at = head.find(key);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + key.size();
  return head.substr(begin, head.find("\r\n", begin) - begin);
}

// What a server that knows nothing of the client could echo: the request
// target and the values of the credential headers, whole and after the
// scheme.
std::vector<std::string> SecretParts(const std::string& head) {
  const std::size_t target = head.find(' ') + 1;
  std::vector<std::string> parts = {
      head.substr(target, head.find(' ', target) - target)};
  for (const char* name : {"Authorization", "Cookie"}) {
    const std::string value = HeaderValue(head, name);
    if (value.empty()) continue;
    parts.push_back(value);
    if (const std::size_t space = value.find(' '); space != std::string::npos) {
      parts.push_back(value.substr(space + 1));
    }
  }
  return parts;
}

// Answers request i with Response(position, forms[i % forms.size()]) (no
// forms: the SecretParts() of each request in turn) and keeps every request
// head, so a test can check what was sent.
class EchoServer {
 public:
  EchoServer()
      : server_([this](int fd) {
          std::string head;
          while (RawServer::ReadRequest(fd, &head)) {
            std::string response;
            {
              std::lock_guard<std::mutex> lock(mu_);
              heads_.push_back(head);
              const std::vector<std::string> forms =
                  forms_.empty() ? SecretParts(head) : forms_;
              response = Response(position_, forms[next_++ % forms.size()]);
            }
            RawServer::SendAll(fd, response);
          }
        }) {}

  void Echo(Position position, std::vector<std::string> forms) {
    std::lock_guard<std::mutex> lock(mu_);
    position_ = position;
    forms_ = std::move(forms);
    next_ = 0;
  }
  std::vector<std::string> Heads() {
    std::lock_guard<std::mutex> lock(mu_);
    return heads_;
  }
  void ClearHeads() {
    std::lock_guard<std::mutex> lock(mu_);
    heads_.clear();
  }
  int port() const { return server_.port(); }
  std::string url() const { return server_.url(); }

 private:
  std::mutex mu_;
  Position position_ = Position::kStatusLine;
  std::vector<std::string> forms_;
  std::size_t next_ = 0;
  std::vector<std::string> heads_;
  RawServer server_;  // last: its threads use the members above
};

// One way of giving `perfcheck load` a credential.
struct AuthCase {
  std::string id;  // the test's name
  std::string what;
  std::vector<std::string> args;  // --base-url is added unless given here
  Env env;
  std::string sent;                // in the request head: it was sent
  std::vector<std::string> forms;  // what the server echoes back
};

std::string Pct(const std::string& s) { return PercentEncode(s); }

// Percent-encoded with lower-case hex digits, as some servers write it.
std::string PctLower(const std::string& s) {
  std::string out = PercentEncode(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '%') {
      for (std::size_t j = i + 1; j < i + 3; ++j) {
        out[j] =
            static_cast<char>(std::tolower(static_cast<unsigned char>(out[j])));
      }
    }
  }
  return out;
}

std::vector<AuthCase> AuthCases(int port) {
  const std::string bearer = "CANARYbearer/7f+3e";
  const std::string env_bearer = "CANARYenvbearer/7f+3e";
  const std::string secret = "CANARYsecret/7f+3e";
  const std::string env_secret = "CANARYenvsecret/7f+3e";
  const std::string header_bearer = "CANARYheader/7f+3e";
  const std::string basic_secret = "CANARYbasic/7f+3e";
  const std::string basic = internal::Base64Encode("key12:" + basic_secret);
  const std::string cookie = "CANARYcookie/7f+3e";
  const std::string api_key = "CANARYapikey/7f+3e";
  const std::string token_raw = "CANARYquery%2F7f%2B3e";  // as in the URL
  const std::string token = "CANARYquery/7f+3e";          // decoded
  const std::string key_raw = "CANARYqkey+7f";            // '+': a space
  const std::string url_password_raw = "CANARYurl%2F7f%2B3e";
  const std::string url_password = "CANARYurl/7f+3e";
  const std::string url_basic = internal::Base64Encode("alice:" + url_password);
  const std::string target =
      "/api?token=" + token_raw + "&api_key=" + key_raw + "&page=1";
  auto bearer_forms = [](const std::string& t) {
    return std::vector<std::string>{"Bearer " + t, t, Pct(t), PctLower(t)};
  };
  auto pair_forms = [](const std::string& scheme_value, const std::string& s) {
    return std::vector<std::string>{scheme_value, "key12:" + s, s, Pct(s),
                                    internal::Base64Encode("key12:" + s)};
  };
  return {
      {"BearerFlag",
       "--bearer",
       {"--bearer", bearer},
       {},
       "Authorization: Bearer " + bearer,
       bearer_forms(bearer)},
      {"BearerEnv",
       "PERFCHECK_BEARER",
       {},
       {{"PERFCHECK_BEARER", env_bearer}},
       "Authorization: Bearer " + env_bearer,
       bearer_forms(env_bearer)},
      {"ApiKeyAndSecretFlags",
       "--api-key/--api-secret",
       {"--api-key", "key12", "--api-secret", secret},
       {},
       "Authorization: token key12:" + secret,
       pair_forms("token key12:" + secret, secret)},
      {"ApiSecretEnv",
       "--api-key with PERFCHECK_API_SECRET",
       {"--api-key", "key12"},
       {{"PERFCHECK_API_SECRET", env_secret}},
       "Authorization: token key12:" + env_secret,
       pair_forms("token key12:" + env_secret, env_secret)},
      {"AuthorizationBearerHeader",
       "--header 'Authorization: Bearer ...'",
       {"--header", "Authorization: Bearer " + header_bearer},
       {},
       "Authorization: Bearer " + header_bearer,
       bearer_forms(header_bearer)},
      {"AuthorizationBasicHeader",
       "--header 'Authorization: Basic ...'",
       {"--header", "Authorization: Basic " + basic},
       {},
       "Authorization: Basic " + basic,
       [&] {
         std::vector<std::string> forms =
             pair_forms("Basic " + basic, basic_secret);
         forms.push_back(basic);
         return forms;
       }()},
      {"CookieHeader",
       "--header 'Cookie: ...'",
       {"--header", "Cookie: theme=dark; sid=" + cookie},
       {},
       "Cookie: theme=dark; sid=" + cookie,
       {"theme=dark; sid=" + cookie, "sid=" + cookie, cookie, Pct(cookie)}},
      {"ApiKeyHeader",
       "--header 'X-Api-Key: ...'",
       {"--header", "X-Api-Key: " + api_key},
       {},
       "X-Api-Key: " + api_key,
       {api_key, Pct(api_key)}},
      {"SecretQueryParameters",
       "secret query parameters",
       {"--endpoint", target},
       {},
       "GET " + target + " HTTP/1.1",
       {target, "token=" + token_raw, token_raw, token, key_raw,
        PercentDecode(key_raw, /*plus_is_space=*/true)}},
      {"UserinfoInTheBaseUrl",
       "user:password in the base URL",
       {"--base-url", "http://alice:" + url_password_raw +
                          "@127.0.0.1:" + std::to_string(port)},
       {},
       "Authorization: Basic " + url_basic,
       {"Basic " + url_basic, url_basic, "alice:" + url_password, url_password,
        url_password_raw}},
  };
}

class CliCanaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');  // parameterized
    dir_ = fs::temp_directory_path() /
           ("perfcheck_cli_sweep_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "outputs");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Out(const std::string& name) const {
    return dir_ / "outputs" / name;
  }

  // Runs perfcheck and checks stdout, stderr and every file in outputs/.
  CliRun Perfcheck(const std::string& what,
                   const std::vector<std::string>& args, const Env& env = {}) {
    const CliRun run = RunPerfcheck(dir_, args, env);
    EXPECT_NE(run.exit_code, -1) << what << ": " << run.how;
    ExpectNoSecret(what + ": stdout", run.out);
    ExpectNoSecret(what + ": stderr", run.err);
    ExpectNoSecretInTree(dir_ / "outputs");
    return run;
  }

  fs::path dir_;
};

constexpr int kAuthCaseCount = 10;

// One test per way of giving the credential, so ctest -j runs them side by
// side.
class CliEchoSweepTest : public CliCanaryTest,
                         public ::testing::WithParamInterface<int> {};

TEST_P(CliEchoSweepTest, NoOutputOfLoadCompareOrBaselineShowsIt) {
  EchoServer server;
  const std::vector<AuthCase> cases = AuthCases(server.port());
  ASSERT_EQ(cases.size(), static_cast<std::size_t>(kAuthCaseCount));
  const AuthCase& c = cases[static_cast<std::size_t>(GetParam())];
  // Sanity of the markers: each form the sweep looks for contains one.
  for (const std::string& form : c.forms) {
    ASSERT_TRUE(form.find(kLeakMarker) != std::string::npos ||
                form.find(kBase64LeakMarker) != std::string::npos)
        << form;
  }
  std::vector<std::string> base = {"load"};
  const bool own_url = !c.args.empty() && c.args.front() == "--base-url";
  if (!own_url) base.insert(base.end(), {"--base-url", server.url()});
  base.insert(base.end(), c.args.begin(), c.args.end());
  base.insert(base.end(),
              {"-c", "1", "--duration", "5s", "--timeout", "2s",
               "--no-progress", "--threshold", "error_rate<1%", "--json",
               Out("load.json").string(), "--csv", Out("load.csv").string(),
               "--result", Out("result.json").string()});
  for (const PositionCase& p : kPositions) {
    // Up to three forms per run: a Result keeps three distinct error
    // examples, so a leaking fourth could go unseen.
    for (std::size_t first = 0; first < c.forms.size(); first += 3) {
      const std::vector<std::string> forms(
          c.forms.begin() + static_cast<std::ptrdiff_t>(first),
          c.forms.begin() +
              static_cast<std::ptrdiff_t>(std::min(first + 3, c.forms.size())));
      server.Echo(p.position, forms);
      std::vector<std::string> args = base;
      args.insert(args.end(), {"-n", std::to_string(forms.size())});
      const std::string what = c.what + ", echoed in the " + p.name +
                               " (forms from " + std::to_string(first) + ")";
      const CliRun run = Perfcheck(what, args, c.env);
      EXPECT_EQ(run.exit_code, 1) << what << "\n" << run.err;
      EXPECT_NE(run.out.find(p.reported), std::string::npos) << what << "\n"
                                                             << run.out;
      EXPECT_NE(run.out.find("FAIL error_rate<1%"), std::string::npos)
          << what << "\n"
          << run.out;
    }
  }
  bool sent = false;
  for (const std::string& head : server.Heads()) {
    sent = sent || head.find(c.sent) != std::string::npos;
  }
  EXPECT_TRUE(sent) << "the credential must have been sent: " << c.sent;

  // What the later steps make of the last result.
  const std::string result = Out("result.json").string();
  Perfcheck(c.what + ": compare", {"compare", result, result, "--format",
                                   "markdown", "-o", Out("compare.md").string(),
                                   "--json", Out("compare.json").string()});
  Perfcheck(c.what + ": compare (table)", {"compare", result, result});
  const CliRun update =
      Perfcheck(c.what + ": baseline update",
                {"baseline", "update", Out("baselines").string(), result,
                 "--test", "Sweep.Load"});
  EXPECT_EQ(update.exit_code, 0) << update.err;
  Perfcheck(c.what + ": baseline show",
            {"baseline", "show", Out("baselines").string()});
  Perfcheck(c.what + ": compare with the baseline",
            {"compare", Out("baselines").string(), result, "--format", "json"});
  EXPECT_TRUE(fs::exists(Out("compare.md")));
  EXPECT_TRUE(fs::exists(Out("baselines") / "Sweep.Load.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Auth, CliEchoSweepTest, ::testing::Range(0, kAuthCaseCount),
    [](const ::testing::TestParamInfo<int>& info) {
      return AuthCases(0)[static_cast<std::size_t>(info.param)].id;
    });

// Bad flag values next to a secret: the usage error names the flag, never
// the secret.
TEST_F(CliCanaryTest, UsageErrorsNextToSecretsShowNoSecret) {
  EchoServer server;
  const std::string url = server.url();
  const std::vector<std::vector<std::string>> cases = {
      {"load", "--base-url", url, "--bearer", "CANARYbearer/7f", "--header",
       "broken"},
      {"load", "--base-url", url, "--bearer", "CANARYbearer/7f", "--header",
       "Authorization: Bearer CANARYother"},
      {"load", "--base-url", url, "--endpoint", "api?token=CANARYq&x=1"},
      {"load", "--base-url", "http://alice:CANARYpw@127.0.0.1:notaport"},
      {"load", "--base-url", "ftp://alice:CANARYpw@127.0.0.1/"},
      {"load", "--base-url", url, "--api-secret", "CANARYsecret"},
      {"load", "--base-url", url, "--header", "Cookie: sid=CANARYc\r\nX: y"},
      {"load", "--base-url", url, "--endpoint", "G@T /x?api_key=CANARYk"},
  };
  for (const std::vector<std::string>& args : cases) {
    const CliRun run = Perfcheck(args.back(), args);
    EXPECT_EQ(run.exit_code, 2) << args.back() << "\n" << run.err;
    EXPECT_NE(run.err, "") << "a usage error says what is wrong";
  }
  EXPECT_TRUE(server.Heads().empty()) << "nothing may be sent";
}

#ifdef PERFCHECK_CANARY_ECHO_PROBE_PATH
// A gtest perf test (tests/http/canary_echo_gtest_probe.cc) loads the echoing
// server with each kind of credential and fails its SLAs on purpose: its
// stdout, JUnit XML, results and candidate files show no secret.
TEST_F(CliCanaryTest, EchoedCredentialsReachNoOutputOfAGtestPerfTest) {
  EchoServer server;
  server.Echo(Position::kStatusLine, {});  // echo each request head whole
  const fs::path out = dir_ / "outputs";
  const Env env = {
      {"PERFCHECK_PROBE_URL", server.url()},
      {"PERFCHECK_PROBE_USERINFO_URL",
       "http://alice:CANARYurl%2F7f@127.0.0.1:" +
           std::to_string(server.port())},
      {"PERFCHECK_PROBE_SECRET", "CANARYprobe/7f+3e"},
  };
  const CliRun run =
      RunProgram(PERFCHECK_CANARY_ECHO_PROBE_PATH, dir_,
                 {"--gtest_output=xml:" + (out / "junit.xml").string(),
                  "--perfcheck_results_dir=" + (out / "results").string(),
                  "--perfcheck_candidate_dir=" + (out / "candidates").string(),
                  "--perfcheck_baseline_dir=" + (out / "baselines").string()},
                 env);
  EXPECT_EQ(run.exit_code, 1) << run.how << "\n" << run.out << run.err;
  const std::string xml = ReadFile(out / "junit.xml");
  EXPECT_NE(xml.find("deliberate failure"), std::string::npos) << xml;
  EXPECT_NE(run.out.find("malformed status line 'HTTP/1.1 <redacted>"),
            std::string::npos)
      << "the probe prints its error examples\n"
      << run.out;
  EXPECT_NE(xml.find("malformed status line &apos;HTTP/1.1 &lt;redacted&gt;"),
            std::string::npos)
      << "and records them\n"
      << xml;
  ASSERT_TRUE(fs::exists(out / "results")) << run.out;
  ASSERT_TRUE(fs::exists(out / "candidates")) << run.out;
  ExpectNoSecret("probe stdout", run.out);
  ExpectNoSecret("probe stderr", run.err);
  ExpectNoSecretInTree(out);
  bool sent = false;
  for (const std::string& head : server.Heads()) {
    sent = sent || head.find("CANARYprobe/7f+3e") != std::string::npos;
  }
  EXPECT_TRUE(sent) << "the probe must have sent its credentials";
}
#endif  // PERFCHECK_CANARY_ECHO_PROBE_PATH

}  // namespace
}  // namespace perfcheck::http::testing
