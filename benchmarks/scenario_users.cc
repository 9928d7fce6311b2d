// The scenario engine's own costs (perfcheck/http/scenario.h), measured, not
// tested (the figures depend on the machine; they are in docs/scenarios.md):
//
//   users  USERS SECONDS   USERS virtual users with think time (1-3 s) on
//                          one thread for SECONDS: memory per user (the
//                          growth of this process's VmRSS from before the
//                          run to its peak, divided by USERS) and CPU per
//                          request.
//   ratio  SECONDS [URL]   a one-request task (no think time, 50 users) vs
//                          plain http::Load (50 connections), one after the
//                          other for SECONDS each, against the same server
//                          (URL, e.g. an nginx from benchmarks/http/nginx.sh,
//                          else the built-in one): requests/s of each, their
//                          ratio and the client CPU per request.
//
// Built with the benchmarks (target perfcheck_scenario_users):
//   build/release/benchmarks/perfcheck_scenario_users users 10000 20
//   build/release/benchmarks/perfcheck_scenario_users ratio 10
//
// The server is a child process (so its sockets and buffers are not in this
// process's RSS): one epoll thread answering every request on a keep-alive
// connection with a fixed 200 and a 2-byte body, killed at the end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/http/load.h"
#include "perfcheck/http/scenario.h"

namespace {

using namespace std::chrono_literals;
using perfcheck::http::Flow;
using perfcheck::http::Request;
using perfcheck::http::VirtualUser;

[[noreturn]] void Serve(int listen_fd) {
  const char kResponse[] =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
      "\r\nok";
  const int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd;
  epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
  std::vector<epoll_event> events(1024);
  std::vector<std::string> pending(65536);  // partial request heads by fd
  char buf[16384];
  for (;;) {
    const int n = epoll_wait(ep, events.data(), 1024, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listen_fd) {
        for (;;) {
          const int c = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          const int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      const ssize_t got = recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        close(fd);
        pending[static_cast<std::size_t>(fd)].clear();
        continue;
      }
      // Requests have no body (GET): one response per blank line.
      std::string& p = pending[static_cast<std::size_t>(fd)];
      p.append(buf, static_cast<std::size_t>(got));
      std::size_t at = 0, end;
      std::string out;
      while ((end = p.find("\r\n\r\n", at)) != std::string::npos) {
        out.append(kResponse, sizeof kResponse - 1);
        at = end + 4;
      }
      p.erase(0, at);
      if (!out.empty()) send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }
}

// Starts the server child; returns its port.
int StartServer(pid_t* child) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(fd, 4096) != 0) {
    std::perror("bind/listen");
    std::exit(1);
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *child = fork();
  if (*child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    rlimit l{};
    getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
    Serve(fd);
  }
  close(fd);
  return ntohs(a.sin_port);
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

perfcheck::http::UserClass OneRequest(perfcheck::http::ThinkTime think) {
  return perfcheck::http::UserClass("User").Think(think).Task(
      1, [](VirtualUser& u) -> Flow { co_await u.Send(Request::Get("/")); });
}

int Users(const perfcheck::http::Target& target, int users, int seconds) {
  const long before = RssKb();
  std::atomic<long> peak{before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), RssKb());
      std::this_thread::sleep_for(100ms);
    }
  });
  perfcheck::http::ScenarioOptions o;
  o.users = users;
  o.spawn_rate = users / 4.0;  // all started in the first 4 s
  o.duration = std::chrono::seconds(seconds);
  o.threads = 1;
  const double cpu0 = CpuSeconds();
  perfcheck::http::ScenarioResult r = perfcheck::http::RunScenario(
      target, {OneRequest(perfcheck::http::Between(1s, 3s))}, o);
  const double cpu = CpuSeconds() - cpu0;
  done = true;
  sampler.join();
  const double per_user = static_cast<double>(peak - before) * 1024 / users;
  std::printf(
      "users %d on 1 thread, %d s, think 1-3 s: spawned %llu, requests %llu "
      "ok, %llu errors, connections %llu\n"
      "VmRSS before %ld KiB, peak %ld KiB: %.0f bytes per user\n"
      "CPU %.2f s: %.1f us per request\n",
      users, seconds, static_cast<unsigned long long>(r.users_spawned),
      static_cast<unsigned long long>(r.aggregate.OkCount()),
      static_cast<unsigned long long>(r.aggregate.ErrorCount()),
      static_cast<unsigned long long>(r.connections_opened), before,
      peak.load(), per_user, cpu,
      cpu * 1e6 /
          static_cast<double>(
              std::max<std::uint64_t>(1, r.aggregate.TotalCount())));
  for (const auto& [category, e] : r.aggregate.errors) {
    std::printf("  %s: %llu (%s)\n", category.c_str(),
                static_cast<unsigned long long>(e.count),
                e.examples.empty() ? "" : e.examples.front().c_str());
  }
  return r.aggregate.ErrorCount() == 0 ? 0 : 1;
}

int Ratio(const perfcheck::http::Target& target, int seconds) {
  constexpr int kUsers = 50;
  perfcheck::http::ScenarioOptions so;
  so.users = kUsers;
  so.duration = std::chrono::seconds(seconds);
  double cpu0 = CpuSeconds();
  perfcheck::http::ScenarioResult s = perfcheck::http::RunScenario(
      target, {OneRequest(perfcheck::http::ThinkTime{})}, so);
  const double scenario_cpu = CpuSeconds() - cpu0;
  perfcheck::http::LoadOptions lo;
  lo.connections = kUsers;
  lo.duration = std::chrono::seconds(seconds);
  cpu0 = CpuSeconds();
  perfcheck::http::HttpLoadResult l =
      perfcheck::http::Load(target, {Request::Get("/")}, lo);
  const double load_cpu = CpuSeconds() - cpu0;
  const double s_rps = s.aggregate.Throughput();
  const double l_rps = l.aggregate.Throughput();
  std::printf(
      "%d users/connections, one thread each, %d s each, same server:\n"
      "  scenario (one-request task): %.0f req/s, %llu errors, "
      "client CPU %.2f s = %.2f us/request\n"
      "  http::Load:                  %.0f req/s, %llu errors, "
      "client CPU %.2f s = %.2f us/request\n"
      "  ratio scenario/load: %.3f req/s, %.3f CPU per request\n",
      kUsers, seconds, s_rps,
      static_cast<unsigned long long>(s.aggregate.ErrorCount()), scenario_cpu,
      scenario_cpu * 1e6 / static_cast<double>(s.aggregate.OkCount()), l_rps,
      static_cast<unsigned long long>(l.aggregate.ErrorCount()), load_cpu,
      load_cpu * 1e6 / static_cast<double>(l.aggregate.OkCount()),
      s_rps / l_rps,
      (scenario_cpu / static_cast<double>(s.aggregate.OkCount())) /
          (load_cpu / static_cast<double>(l.aggregate.OkCount())));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "users" && argc == 4) ||
        (mode == "ratio" && (argc == 3 || argc == 4)))) {
    std::fprintf(stderr,
                 "usage: %s users USERS SECONDS | ratio SECONDS [URL]\n",
                 argv[0]);
    return 2;
  }
  pid_t child = 0;
  const bool own_server = !(mode == "ratio" && argc == 4);
  const perfcheck::http::Target target(
      own_server ? "http://127.0.0.1:" + std::to_string(StartServer(&child))
                 : std::string(argv[3]));
  const int rc = mode == "users"
                     ? Users(target, std::atoi(argv[2]), std::atoi(argv[3]))
                     : Ratio(target, std::atoi(argv[2]));
  if (own_server) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  return rc;
}
