// TrialMarkers: one run's trials on the chart as markers, in two scatter
// series the chart holds: `all`, and `fresh` for the latest markers, which
// settle into `all` once they are a good share of it. Qt Charts restyles
// every item of a series whose count changes, so a batch costs its own
// markers, not the history's. Thinned (more trials than the plot has room
// for), a trial whose cell is taken (MarkerGrid) gets no marker of its own.
// The series draw with OpenGL where the platform has it (not offscreen).
#pragma once
#include <QList>
#include <QPointF>

#include "ui/marker_grid.h"

class QScatterSeries;

namespace ppui {

class TrialMarkers {
 public:
  static constexpr double kMarkerPx = 7;  // a trial's marker
  static constexpr double kCellPx = 4;    // thinned: one marker per cell of this side

  // The two series, new; `all` is styled by the chart, then `fresh` copies it (matchStyle).
  TrialMarkers();
  void matchStyle();
  QScatterSeries* all() const { return all_; }
  QScatterSeries* fresh() const { return fresh_; }
  // No markers; thinned into cells of the given ranges and plot size, or not.
  void restart(bool thin, double x0, double x1, double y0, double y1, double widthPx,
               double heightPx);
  // A trial's point: false when thinned away (its cell is taken).
  bool add(const QPointF& v);
  // To the series: the fresh markers, settled into `all` when `settle` or many.
  void publish(bool settle);
  int count() const;

  // Whether OpenGL series draw here: a hardware OpenGL context (not a
  // software renderer); PARETOPRUNE_CHART_OPENGL=0 or 1 decides instead.
  static bool openGlAvailable();
  // Whether a GL_RENDERER string names a software renderer (llvmpipe, ...).
  static bool isSoftwareRenderer(const char* renderer);

 private:
  QScatterSeries* all_;
  QScatterSeries* fresh_;
  QList<QPointF> markers_, fresh_markers_;
  MarkerGrid cells_;
  bool thin_ = false;
};

}  // namespace ppui
