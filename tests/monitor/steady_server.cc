// A server that does not leak: each request uses a buffer and frees it.
// Usage: steady_server [--max-seconds S] [--work-kib N]
#include "test_server.h"

int main(int argc, char** argv) {
  return perfcheck::monitor_test::RunTestServer(argc, argv, /*leak=*/false);
}
