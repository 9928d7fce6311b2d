// Prints this process's testbed speed probe (perfcheck/testbed.h) in ns: run
// it many times, quiet and beside a busy neighbour, to see how much the probe
// moves between processes and so whether kSpeedProbeMargin (1.3x) separates
// machines rather than moments. benchmarks/gate/probe_spread.sh does that.
#include <cstdio>

#include "perfcheck/testbed.h"

int main() {
  std::printf("%.0f\n", perfcheck::SpeedProbeNanos());
  return 0;
}
