// Bounded memory of perfcheck itself over a soak run: one http::Load of N
// minutes (open model, a constant arrival rate) against a loopback server in
// this same process, with a ProcessMonitor sampling this process's RSS every
// second. Prints the RSS once a minute, then the memory-growth verdict
// (perfcheck/resource_statistics.h AnalyzeMemoryGrowth: slope after a 20%
// warm-up, t interval, "grows" only when the whole interval is above 1% of
// the mean RSS per minute) and the command that reproduces the run. A
// measurement, not a test: the figures are in docs/soak.md.
//
// Built with the benchmarks (target perfcheck_soak):
//   cmake --build --preset release --target perfcheck_soak
//   build/release/benchmarks/perfcheck_soak 30 500 8 1000
//     # minutes (30), requests/s (500), connections (8), series interval in
//     # ms (1000)
// Exit status: 0 steady, 1 grows, 2 bad arguments or insufficient data.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/format.h"
#include "perfcheck/http/load.h"
#include "perfcheck/process_monitor.h"
#include "perfcheck/resource_statistics.h"

namespace {

// A keep-alive HTTP/1.1 server on 127.0.0.1, one thread per connection,
// answering every request at once with a 2-byte body.
class LoopbackServer {
 public:
  LoopbackServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 128) != 0) {
      std::perror("bind/listen");
      std::exit(2);
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~LoopbackServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (int fd : clients_) ::shutdown(fd, SHUT_RDWR);
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (std::thread& t : workers_) t.join();
    for (int fd : clients_) ::close(fd);
    ::close(listen_fd_);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  void Accept() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      clients_.push_back(fd);
      workers_.emplace_back([fd] { Serve(fd); });
    }
  }
  static void Serve(int fd) {
    static const std::string kReply =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    std::string buffer;
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<std::size_t>(n));
      // Requests without a body: one reply per blank line.
      for (std::size_t end;
           (end = buffer.find("\r\n\r\n")) != std::string::npos;) {
        buffer.erase(0, end + 4);
        if (::send(fd, kReply.data(), kReply.size(), MSG_NOSIGNAL) <= 0) {
          return;
        }
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  bool stopping_ = false;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
};

double Mb(double bytes) { return bytes / (1024.0 * 1024.0); }

}  // namespace

int main(int argc, char** argv) {
  const int minutes = argc > 1 ? std::atoi(argv[1]) : 30;
  const double rate = argc > 2 ? std::atof(argv[2]) : 500;
  const int connections = argc > 3 ? std::atoi(argv[3]) : 8;
  // The time series' interval: a short one reaches the series' cap (1024
  // intervals, then they merge pairwise) within minutes instead of 17.
  const int interval_ms = argc > 4 ? std::atoi(argv[4]) : 1000;
  if (minutes <= 0 || rate <= 0 || connections <= 0 || interval_ms <= 0) {
    std::fprintf(stderr,
                 "usage: %s [MINUTES=30] [REQUESTS_PER_S=500] "
                 "[CONNECTIONS=8] [SERIES_INTERVAL_MS=1000]\n",
                 argv[0]);
    return 2;
  }
  LoopbackServer server;
  perfcheck::ProcessMonitor monitor(
      {.pids = {::getpid()}, .interval = std::chrono::seconds(1)});
  if (perfcheck::Status s = monitor.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  std::printf(
      "perfcheck_soak: %d min at %.0f requests/s over %d connections "
      "against %s (pid %d)\n",
      minutes, rate, connections, server.url().c_str(), ::getpid());
  std::fflush(stdout);

  perfcheck::http::LoadOptions o;
  o.connections = connections;
  o.rate = rate;
  o.duration = std::chrono::minutes(minutes);
  o.interval = std::chrono::milliseconds(interval_ms);
  o.progress_interval = std::chrono::minutes(1);
  o.on_progress = [&monitor](const perfcheck::http::Progress& p) {
    const std::vector<perfcheck::ProcessSeries> series = monitor.Snapshot();
    if (series.empty() || series[0].samples.empty()) return;
    const perfcheck::ProcessSample& last = series[0].samples.back();
    std::printf("  minute %3lld: RSS %7.1f MB, %llu requests, %llu errors\n",
                static_cast<long long>((p.elapsed_ns + 30'000'000'000) /
                                       60'000'000'000),
                Mb(static_cast<double>(last.rss_bytes)),
                static_cast<unsigned long long>(p.completed),
                static_cast<unsigned long long>(p.errors));
    std::fflush(stdout);
  };
  const perfcheck::http::HttpLoadResult result =
      perfcheck::http::Load(perfcheck::http::Target(server.url()),
                            {perfcheck::http::Request::Get("/")}, o);
  monitor.Stop();

  const std::vector<perfcheck::ProcessSample> samples =
      monitor.Snapshot().at(0).samples;
  const perfcheck::MemoryGrowth growth =
      perfcheck::AnalyzeMemoryGrowth(samples);
  const perfcheck::Result& r = result.aggregate;
  std::size_t encoded = 0;  // the series' histograms, the part that grows
  for (const perfcheck::Interval& in : r.series.Intervals()) {
    encoded += in.latency.size();
  }
  std::printf(
      "requests: %llu ok, %llu errors; p99 %s; series: %zu intervals of %s, "
      "%.1f KB of encoded histograms (and as much per endpoint)\n",
      static_cast<unsigned long long>(r.OkCount()),
      static_cast<unsigned long long>(r.ErrorCount()),
      perfcheck::FormatNanos(static_cast<double>(r.latency.Percentile(99)))
          .c_str(),
      r.series.Intervals().size(),
      perfcheck::FormatNanos(static_cast<double>(r.series.IntervalNanos()))
          .c_str(),
      static_cast<double>(encoded) / 1024);
  std::printf(
      "RSS: start %.1f MB, end %.1f MB, peak %.1f MB; %zu samples; sampler "
      "CPU %.3f s\n",
      Mb(static_cast<double>(samples.front().rss_bytes)),
      Mb(static_cast<double>(samples.back().rss_bytes)),
      Mb(static_cast<double>(perfcheck::PeakRssBytes(samples))), samples.size(),
      static_cast<double>(monitor.SamplerCpuNanos()) / 1e9);
  std::printf("memory growth: %s\n", growth.Describe().c_str());
  std::printf("reproduce: %s %d %.0f %d %d\n", argv[0], minutes, rate,
              connections, interval_ms);
  switch (growth.verdict) {
    case perfcheck::GrowthVerdict::kSteady:
      return 0;
    case perfcheck::GrowthVerdict::kGrows:
      return 1;
    case perfcheck::GrowthVerdict::kInsufficientData:
      break;
  }
  return 2;
}
