// A server that leaks on purpose: each request keeps its buffer (N KiB, every
// page touched), so RSS grows by N KiB per request.
// Usage: leaky_server [--max-seconds S] [--work-kib N]
#include "test_server.h"

int main(int argc, char** argv) {
  return perfcheck::monitor_test::RunTestServer(argc, argv, /*leak=*/true);
}
