// `perfcheck load` (the real binary) against faulty loopback servers: every
// fault ends with the right exit code, on time, classified in the JSON report
// (--json) and named on stdout/stderr; a 100 MB body keeps memory bounded.
// The library-level twin is http_faults_test.cc.
#include <poll.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.h"
#include "gtest/gtest.h"
#include "test_servers.h"

#ifdef PERFCHECK_TEST_HAVE_MOCK_SERVER
#include "perfcheck/contract/mock_server.h"
#endif

namespace perfcheck::http::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Json = nlohmann::json;

// Every run here asks for at most this long (--duration); it must end well
// within ten times that, however busy the machine.
constexpr auto kDuration = 3s;
constexpr char kDurationFlag[] = "3s";

class CliFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck_cli_faults_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path JsonPath() const { return dir_ / "report.json"; }

  // `perfcheck load --base-url URL <args> --json FILE`, bounded by
  // --duration; checks that it ended by itself and on time.
  CliRun Load(const std::string& url, std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "load",        "--base-url",    url,      "--duration",
        kDurationFlag, "--no-progress", "--json", JsonPath().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    CliRun run = RunPerfcheck(dir_, argv);
    EXPECT_NE(run.exit_code, -1) << run.how << "\n" << run.err;
    EXPECT_LT(run.took, 10 * kDuration) << "the run must end on time";
    return run;
  }

  // The --json file; fails the test when it is missing or not JSON.
  Json Report() const {
    const std::string text = ReadFile(JsonPath());
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_object()) << "--json file: '" << text << "'";
    return j.is_object() ? j : Json::object();
  }

  static std::string Example(const Json& report, const std::string& category) {
    const Json& examples = report.value("error_examples", Json::object());
    if (!examples.contains(category) || examples[category].empty()) return "";
    return examples[category][0].get<std::string>();
  }

  static std::uint64_t Count(const Json& report, const std::string& category) {
    const Json& errors = report.value("errors_by_class", Json::object());
    return errors.contains(category) ? errors[category].get<std::uint64_t>()
                                     : 0;
  }

  fs::path dir_;
};

// Sends `response` to every request on every connection.
std::function<void(int)> Answer(std::string response) {
  return [response](int fd) {
    while (RawServer::ReadRequest(fd)) RawServer::SendAll(fd, response);
  };
}

TEST_F(CliFaultsTest, ConnectionResetMidResponseIsAResetError) {
  RawServer server([](int fd) {
    if (!RawServer::ReadRequest(fd)) return;
    RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
    std::this_thread::sleep_for(20ms);
    RawServer::Reset(fd);
  });
  const CliRun run = Load(server.url(), {"-c", "1", "-n", "5"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(r["total_requests"], 5);
  EXPECT_EQ(r["ok"], 0);
  EXPECT_EQ(Count(r, "reset"), 5u) << r.dump(2);
  EXPECT_NE(Example(r, "reset").find("mid-response"), std::string::npos)
      << r.dump(2);
  EXPECT_NE(run.out.find("\n    reset  5  "), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("FAIL no request succeeded (5 of 5 failed"),
            std::string::npos)
      << run.err;
}

TEST_F(CliFaultsTest, CloseWithoutAResponseIsAResetError) {
  RawServer server([](int fd) {
    if (RawServer::ReadRequest(fd)) shutdown(fd, SHUT_RDWR);
  });
  const CliRun run = Load(server.url(), {"-c", "1", "-n", "4"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(Count(r, "reset"), 4u) << r.dump(2);
  EXPECT_NE(Example(r, "reset").find("connection closed before the response"),
            std::string::npos)
      << r.dump(2);
}

TEST_F(CliFaultsTest, ServerThatNeverAnswersTimesOut) {
  RawServer server([](int fd) {
    RawServer::ReadRequest(fd);
    RawServer::ReadRequest(fd);  // blocks until the client gives up
  });
  const CliRun run =
      Load(server.url(), {"-c", "2", "-n", "4", "--timeout", "300ms"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(Count(r, "timeout"), 4u) << r.dump(2);
  EXPECT_NE(Example(r, "timeout").find("no response within 300 ms"),
            std::string::npos)
      << r.dump(2);
  EXPECT_NE(run.out.find("no response within 300 ms"), std::string::npos)
      << run.out;
  EXPECT_NE(run.err.find("FAIL no request succeeded (4 of 4 failed"),
            std::string::npos)
      << run.err;
}

// A request timeout longer than the run: nothing completes, and a run that
// measured nothing must not pass.
TEST_F(CliFaultsTest, ServerThatNeverAnswersWithinTheRunFails) {
  RawServer server([](int fd) {
    RawServer::ReadRequest(fd);
    RawServer::ReadRequest(fd);
  });
  const CliRun run = Load(server.url(), {"-c", "2", "--timeout", "60s"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_LT(run.took, 20s);
  const Json r = Report();
  EXPECT_EQ(r["ok"], 0) << r.dump(2);
  EXPECT_NE(
      run.err.find("FAIL no request completed within the run (--timeout 60s"),
      std::string::npos)
      << run.err;
}

TEST_F(CliFaultsTest, MalformedStatusLineIsAProtocolError) {
  RawServer server(Answer("HTTP/1.1 OK\r\n\r\n"));
  const CliRun run = Load(server.url(), {"-c", "1", "-n", "3"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(Count(r, "protocol"), 3u) << r.dump(2);
  EXPECT_NE(Example(r, "protocol").find("malformed status line 'HTTP/1.1 OK'"),
            std::string::npos)
      << r.dump(2);
  EXPECT_NE(run.out.find("malformed status line"), std::string::npos)
      << run.out;
}

TEST_F(CliFaultsTest, MalformedHeaderLineIsAProtocolError) {
  RawServer server(Answer(
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nno colon here\r\n\r\nok"));
  const CliRun run = Load(server.url(), {"-c", "1", "-n", "3"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(Count(r, "protocol"), 3u) << r.dump(2);
  EXPECT_NE(
      Example(r, "protocol").find("malformed header line 'no colon here'"),
      std::string::npos)
      << r.dump(2);
  EXPECT_NE(run.out.find("malformed header line"), std::string::npos)
      << run.out;
}

TEST_F(CliFaultsTest, GarbageChunkSizesAreAProtocolError) {
  for (const char* body : {"zz\r\nxx", "-5\r\nxx", "fffffffffffffffffff\r\n"}) {
    SCOPED_TRACE(body);
    RawServer server(Answer(
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") +
        body));
    const CliRun run = Load(server.url(), {"-c", "1", "-n", "3"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const Json r = Report();
    EXPECT_EQ(Count(r, "protocol"), 3u) << r.dump(2);
    EXPECT_NE(Example(r, "protocol").find("chunk"), std::string::npos)
        << r.dump(2);
    EXPECT_NE(run.out.find("chunk"), std::string::npos) << run.out;
  }
}

// The body is counted, not kept: perfcheck's peak memory stays far below
// the body's size.
TEST_F(CliFaultsTest, HundredMegabyteBodyKeepsMemoryBounded) {
  constexpr std::uint64_t kSize = 100ull << 20;
  RawServer server([](int fd) {
    const std::string block(1 << 20, 'x');
    while (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " +
                                 std::to_string(kSize) + "\r\n\r\n");
      for (std::uint64_t sent = 0; sent < kSize; sent += block.size()) {
        if (send(fd, block.data(), block.size(), MSG_NOSIGNAL) <= 0) return;
      }
    }
  });
  rusage before{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &before), 0);
  // The largest child so far is this test's own: none is big yet.
  ASSERT_LT(before.ru_maxrss, 200 * 1024);
  const CliRun run =
      Load(server.url(), {"-c", "1", "-n", "2", "--timeout", "20s"});
  rusage after{};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &after), 0);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const Json r = Report();
  EXPECT_EQ(r["ok"], 2) << r.dump(2);
  EXPECT_GE(r["bytes_received"].get<std::uint64_t>(), 2 * kSize);
  // ru_maxrss is in KiB: the peak of the largest child waited for.
  EXPECT_LT(after.ru_maxrss, 200 * 1024) << "perfcheck kept the body";
}

TEST_F(CliFaultsTest, InterimResponsesAreSkipped) {
  RawServer server(Answer(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  const CliRun run = Load(server.url(), {"-c", "2", "-n", "10"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const Json r = Report();
  EXPECT_EQ(r["ok"], 10) << r.dump(2);
  EXPECT_EQ(r["errors"], 0) << r.dump(2);
  EXPECT_EQ(r["status_codes"], Json({{"200", 10}})) << r.dump(2);
}

TEST_F(CliFaultsTest, ServerClosingAfterEveryResponseIsReconnected) {
  RawServer server([](int fd) {
    if (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    shutdown(fd, SHUT_RDWR);
  });
  const CliRun run = Load(server.url(), {"-c", "2", "-n", "20"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const Json r = Report();
  EXPECT_EQ(r["ok"], 20) << r.dump(2);
  EXPECT_EQ(r["errors"], 0) << r.dump(2);
  EXPECT_GE(r["connections_opened"].get<int>(), 20) << r.dump(2);
}

// Connection set-up failures end the run before it starts: exit 3, the
// reason on stderr, no report written.
TEST_F(CliFaultsTest, ConnectionRefusedExitsThree) {
  const std::string url = "http://127.0.0.1:" + std::to_string(RefusedPort());
  const CliRun run = Load(url, {"-n", "5"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot connect to " + url), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("refused"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_FALSE(fs::exists(JsonPath())) << "no report of a run that never ran";
}

TEST_F(CliFaultsTest, TlsHandshakeWithAPlainServerExitsThree) {
  // The ClientHello is no HTTP request head: answer it as the plain server
  // would, or close.
  RawServer plain([](int fd) {
    char buf[512];
    if (recv(fd, buf, sizeof buf, 0) > 0) {
      RawServer::SendAll(
          fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    }
    shutdown(fd, SHUT_RDWR);
  });
  const std::string url = "https://127.0.0.1:" + std::to_string(plain.port());
  const CliRun run = Load(url, {"-n", "3"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot connect to " + url), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("TLS"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_FALSE(fs::exists(JsonPath()));
}

#ifdef PERFCHECK_TEST_HAVE_MOCK_SERVER
// MockServer generates a self-signed certificate for 127.0.0.1.
TEST_F(CliFaultsTest, SelfSignedCertificateNeedsInsecureOrCaFile) {
  contract::MockServer server({.tls = true});
  server.Stub(contract::Get("/"), contract::Reply(200).Body("tls ok"));
  const std::string url = server.url();
  ASSERT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;

  CliRun run = Load(url, {"-n", "3"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("cannot connect to " + url), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("certificate"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(JsonPath()));

  run = Load(url, {"-c", "2", "-n", "6", "--insecure"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  Json r = Report();
  EXPECT_EQ(r["ok"], 6) << r.dump(2);
  EXPECT_EQ(r["config"]["tls_verify"], "off") << r.dump(2);

  const fs::path ca = dir_ / "ca.pem";
  ASSERT_TRUE(server.WriteCertificatePem(ca.string()).ok());
  run = Load(url, {"-c", "1", "-n", "4", "--ca-file", ca.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  r = Report();
  EXPECT_EQ(r["ok"], 4) << r.dump(2);
}

// Copies bytes both ways between `client` and a new connection to `port`
// until either side closes.
void Relay(int client, int port) {
  const int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    char buf[16384];
    for (bool open = true; open;) {
      if (poll(fds, 2, 10'000) <= 0) break;  // idle for 10 s: give up
      for (int i = 0; i < 2 && open; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0) {
          open = false;
        } else {
          RawServer::SendAll(fds[1 - i].fd,
                             std::string(buf, static_cast<std::size_t>(n)));
        }
      }
    }
  }
  close(upstream);
}

// The connection check before the run completes its handshake (relayed to a
// TLS server); every connection of the run then meets a plain HTTP server:
// TLS errors inside the run are counted as "tls" in the report.
TEST_F(CliFaultsTest, TlsHandshakeFailuresDuringTheRunAreClassified) {
  contract::MockServer tls({.tls = true});
  const int tls_port = std::stoi(tls.url().substr(tls.url().rfind(':') + 1));
  std::atomic<int> connections{0};
  RawServer server([&](int fd) {
    if (connections++ == 0) {
      Relay(fd, tls_port);
      return;
    }
    char buf[512];
    if (recv(fd, buf, sizeof buf, 0) > 0) {
      RawServer::SendAll(
          fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    }
    shutdown(fd, SHUT_RDWR);
  });
  const CliRun run = Load("https://127.0.0.1:" + std::to_string(server.port()),
                          {"-c", "1", "-n", "3", "--insecure"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json r = Report();
  EXPECT_EQ(r["ok"], 0) << r.dump(2);
  EXPECT_GT(Count(r, "tls"), 0u) << r.dump(2);
  EXPECT_NE(Example(r, "tls").find("TLS handshake"), std::string::npos)
      << r.dump(2);
  EXPECT_NE(run.out.find("TLS handshake"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("FAIL no request"), std::string::npos) << run.err;
}
#endif  // PERFCHECK_TEST_HAVE_MOCK_SERVER

}  // namespace
}  // namespace perfcheck::http::testing
