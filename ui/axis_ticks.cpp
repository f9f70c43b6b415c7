#include "ui/axis_ticks.h"

#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ppui {

namespace {

// Mantissas per decade, coarse to fine.
const std::vector<std::vector<double>>& mantissaSets() {
  static const std::vector<std::vector<double>> sets = {
      {1},
      {1, 3},
      {1, 2, 5},
      {1, 1.5, 2, 3, 5, 7},
      {1, 2, 3, 4, 5, 6, 7, 8, 9},
      {1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9},
      {1,   1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2, 2.2, 2.4, 2.6, 2.8, 3,
       3.2, 3.4, 3.6, 3.8, 4,   4.5, 5,   5.5, 6,   6.5, 7, 7.5, 8,   8.5, 9,   9.5},
  };
  return sets;
}

bool within(double v, double lo, double hi) {
  return v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
}

std::vector<double> decadeTicks(double lo, double hi, const std::vector<double>& mantissas,
                                int stride) {
  std::vector<double> out;
  const int k0 = static_cast<int>(std::floor(std::log10(lo))),
            k1 = static_cast<int>(std::floor(std::log10(hi)));
  for (int k = k0; k <= k1; ++k) {
    if (stride > 1 && ((k % stride) + stride) % stride != 0) continue;
    const double p = std::pow(10.0, k);
    for (double m : mantissas)
      if (within(m * p, lo, hi)) out.push_back(m * p);
  }
  return out;
}

// `x` with the fewest decimals (up to 4) that still say its value.
QString compact(double x) {
  for (int d = 0; d <= 4; ++d) {
    const double scale = std::pow(10.0, d);
    if (std::abs(std::round(x * scale) / scale - x) <= 1e-9 * std::max(1.0, std::abs(x)))
      return QString::number(x, 'f', d);
  }
  return QString::number(x, 'g', 4);
}

}  // namespace

std::vector<double> logTickValues(double lo, double hi, int maxTicks, int minTicks) {
  if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi)) return {};
  maxTicks = std::max(maxTicks, 2);
  std::vector<double> best;
  const auto& sets = mantissaSets();
  const std::vector<double> decades = decadeTicks(lo, hi, sets[0], 1);
  if (static_cast<int>(decades.size()) > maxTicks) {
    // Many decades: every second, third... one.
    const int stride = (static_cast<int>(decades.size()) + maxTicks - 1) / maxTicks;
    return decadeTicks(lo, hi, sets[0], stride);
  }
  for (const auto& set : sets) {
    std::vector<double> v = decadeTicks(lo, hi, set, 1);
    if (static_cast<int>(v.size()) > maxTicks) break;
    if (v.size() > best.size()) best = std::move(v);  // a finer set can miss a coarser one's values
    if (static_cast<int>(best.size()) >= minTicks) break;
  }
  if (best.size() < 2) return linearTickValues(lo, hi, std::min(maxTicks, 5));
  return best;
}

std::vector<double> linearTickValues(double lo, double hi, int maxTicks) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {};
  maxTicks = std::max(maxTicks, 2);
  const double raw = (hi - lo) / (maxTicks - 1);
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 0;
  for (;; p *= 10) {
    for (double m : {1.0, 2.0, 2.5, 5.0})
      if (m * p >= raw * (1 - 1e-9)) {
        step = m * p;
        break;
      }
    if (step > 0) break;
  }
  std::vector<double> out;
  for (double i = std::ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i += 1) {
    const double v = i * step;
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

QString tickLabel(double value, AxisUnit unit) {
  switch (unit) {
    case AxisUnit::Count: {
      static const char* suffix[] = {"", " k", " M", " G", " T"};
      int k = 0;
      double v = value;
      while (std::abs(v) >= 1000 * (1 - 1e-9) && k < 4) {
        v /= 1000;
        ++k;
      }
      return compact(v) + suffix[k];
    }
    case AxisUnit::Milliseconds:
      if (std::abs(value) >= 1000 * (1 - 1e-9)) return compact(value / 1000) + " s";
      return compact(value) + " ms";
    case AxisUnit::Percent:
      return compact(value) + " %";
    case AxisUnit::Plain:
      return compact(value);
  }
  return compact(value);
}

QString countLabel(double value) {
  static const char* suffix[] = {"", " k", " M", " G", " T"};
  int k = 0;
  double v = value;
  // 999,999 reads "1 M", not "1000 k": round to three digits before choosing the unit.
  while (std::abs(v) >= 999.5 && k < 4) {
    v /= 1000;
    ++k;
  }
  const double a = std::abs(v);
  const int decimals = k == 0 || a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2;
  return QString::number(v, 'f', decimals) + suffix[k];
}

std::vector<AxisTick> axisTicks(double lo, double hi, bool logScale, AxisUnit unit, int maxTicks) {
  std::vector<AxisTick> out;
  const int minTicks = std::max(3, maxTicks / 2);
  for (double v :
       logScale ? logTickValues(lo, hi, maxTicks, minTicks) : linearTickValues(lo, hi, maxTicks)) {
    QString label = tickLabel(v, unit);
    if (std::any_of(out.begin(), out.end(), [&](const AxisTick& t) { return t.label == label; }))
      continue;
    out.push_back({v, label});
  }
  return out;
}

// Ticks at round values (0.70, 0.75, 0.80; 0, 50, 100 trials) on a range
// widened to the steps around it: never 0.697, 0.776.
void roundValueAxis(QValueAxis* a, double lo, double hi, int maxTicks) {
  const std::vector<double> v = linearTickValues(lo, hi, maxTicks);
  const double step = v.size() >= 2 ? v[1] - v[0] : std::max(hi - lo, 1e-9);
  const double from = std::floor(lo / step + 1e-9) * step, to = std::ceil(hi / step - 1e-9) * step;
  a->setTickType(QValueAxis::TicksDynamic);
  a->setTickAnchor(0);
  a->setTickInterval(step);
  a->setRange(from, std::max(to, from + step));
  // As many decimals as the step needs (2.5e-2 needs three).
  int decimals = 0;
  while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) -
                                  std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  a->setLabelFormat(QString("%.%1f").arg(decimals));
}

}  // namespace ppui
