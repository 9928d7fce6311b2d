// The loopback HTTP server behind steady_server and leaky_server: cpp-httplib
// on 127.0.0.1, --port N or an ephemeral port (default), printed as
// "port <n>" on stdout once it listens, and an end of its own after --max-seconds (default 30), so a test
// that dies never leaves it running. GET / answers "ok" after using a buffer
// of --work-kib KiB (default 64); with `leak` the buffer is kept (and every
// page touched), so RSS grows by that much per request.
#ifndef PERFCHECK_TESTS_MONITOR_TEST_SERVER_H_
#define PERFCHECK_TESTS_MONITOR_TEST_SERVER_H_

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace perfcheck::monitor_test {

inline int RunTestServer(int argc, char** argv, bool leak) {
  double max_seconds = 30;
  long work_kib = 64;
  int fixed_port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--max-seconds") == 0) {
      max_seconds = std::atof(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--port") == 0) {
      fixed_port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--work-kib") == 0) {
      work_kib = std::atol(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::mutex mu;
  std::vector<std::unique_ptr<char[]>> kept;  // the leak, guarded by mu
  httplib::Server server;
  server.Get("/", [&](const httplib::Request&, httplib::Response& res) {
    const std::size_t n = static_cast<std::size_t>(work_kib) * 1024;
    auto buffer = std::make_unique<char[]>(n);
    // Touch every page: untouched pages are not resident, so no RSS.
    for (std::size_t k = 0; k < n; k += 4096) buffer[k] = static_cast<char>(k);
    res.set_content(std::string(1, buffer[n / 2] | 'o') + "k", "text/plain");
    if (leak) {
      std::lock_guard<std::mutex> lock(mu);
      kept.push_back(std::move(buffer));
    }
  });
  const int port =
      fixed_port > 0
          ? (server.bind_to_port("127.0.0.1", fixed_port) ? fixed_port : -1)
          : server.bind_to_any_port("127.0.0.1");
  if (port < 0) {
    std::fprintf(stderr, "cannot bind 127.0.0.1\n");
    return 1;
  }
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::duration<double>(max_seconds));
    server.stop();
  });
  std::thread listener([&] { server.listen_after_bind(); });
  // The socket listens since bind_to_any_port: a client may connect now.
  std::printf("port %d\n", port);
  std::fflush(stdout);
  listener.join();
  stopper.join();
  return 0;
}

}  // namespace perfcheck::monitor_test

#endif  // PERFCHECK_TESTS_MONITOR_TEST_SERVER_H_
