#include "http/schedule.h"

#include <algorithm>
#include <cmath>

namespace perfcheck::http::internal {

double TargetAt(const std::vector<Stage>& stages, double from,
                Nanos offset_ns) {
  double level = from;
  Nanos t = 0;
  for (const Stage& s : stages) {
    const Nanos d = s.duration.count();
    if (offset_ns < t + d) {
      const double f =
          d > 0 ? static_cast<double>(offset_ns - t) / static_cast<double>(d)
                : 1.0;
      return level + (s.target - level) * std::clamp(f, 0.0, 1.0);
    }
    t += d;
    level = s.target;
  }
  return level;
}

double MaxTarget(const std::vector<Stage>& stages, double from) {
  double m = from;
  for (const Stage& s : stages) m = std::max(m, s.target);
  return m;
}

bool NextDue(const std::vector<Stage>& stages, double from, double share,
             Nanos from_ns, double* need, Nanos* next_ns) {
  constexpr Nanos kStep = 1'000'000;
  Nanos t = from_ns;
  for (int i = 0; i < 10'000; ++i) {
    const double rate = TargetAt(stages, from, t) / share;  // per second
    const double in_step = rate * static_cast<double>(kStep) / 1e9;
    if (rate > 0 && in_step >= *need) {
      *next_ns =
          t + std::max<Nanos>(
                  1, static_cast<Nanos>(std::llround(*need / rate * 1e9)));
      *need = 0;
      return true;
    }
    *need -= in_step;
    t += kStep;
  }
  *next_ns = t;
  return false;
}

}  // namespace perfcheck::http::internal
