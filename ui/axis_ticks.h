// Axis ticks as pure functions: where a chart axis puts its labels (round
// values on a log or a linear scale) and what they say ("1.6 M", "150 M",
// "1.2 G", "0.5 ms", "85 %"), so that an axis reads at a glance.
#pragma once
#include <QString>

class QValueAxis;

#include <vector>

namespace ppui {

enum class AxisUnit {
  Count,         // 950 k, 1.6 M, 2 M, 1.2 G
  Milliseconds,  // 0.5 ms, 2 ms, 1.5 s
  Percent,       // 85 %, 87.5 %
  Plain          // 0.15, 0.2
};

struct AxisTick {
  double value = 0;
  QString label;
};

// Round values within [lo, hi] (lo > 0) for a log scale: whole decades when
// the range spans many, else 1-3, 1-2-5, 1-1.5-2-3-5-7, every integer
// mantissa, then finer, the coarsest that gives at least `minTicks` labels
// without passing `maxTicks` (else the most labels within it). Below two
// ticks, linear ones.
std::vector<double> logTickValues(double lo, double hi, int maxTicks = 8, int minTicks = 3);
// Round values within [lo, hi] for a linear scale: steps of 1, 2, 2.5 or 5
// times a power of ten, at most `maxTicks`.
std::vector<double> linearTickValues(double lo, double hi, int maxTicks = 8);
// One label: counts with k/M/G/T, milliseconds (seconds from 1000 ms),
// percent, or plain; as few decimals as the value needs (ticks are round).
QString tickLabel(double value, AxisUnit unit);
// Any count (not only round ones) in three significant digits with k/M/G/T:
// 132 k, 1.23 M, 22.3 G (the trials table's FLOPs).
QString countLabel(double value);
// Ticks with labels for an axis over [lo, hi]; distinct labels (a chart's
// category axis keys its labels by text). A log axis asks for at least
// half of `maxTicks` labels.
std::vector<AxisTick> axisTicks(double lo, double hi, bool logScale, AxisUnit unit,
                                int maxTicks = 8);

// A value axis over [lo, hi] widened to round steps (linearTickValues), its
// ticks at them and labelled with the decimals the step needs: 0.70, 0.75,
// 0.80 or 0, 50, 100; never 0.697 or "0 0 0 1".
void roundValueAxis(QValueAxis* a, double lo, double hi, int maxTicks = 6);

}  // namespace ppui
