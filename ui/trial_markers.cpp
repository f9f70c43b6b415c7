#include "ui/trial_markers.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QScatterSeries>

#include <algorithm>

namespace ppui {

TrialMarkers::TrialMarkers() : all_(new QScatterSeries), fresh_(new QScatterSeries) {
  all_->setMarkerSize(kMarkerPx);
  all_->setUseOpenGL(openGlAvailable());
  fresh_->setUseOpenGL(all_->useOpenGL());
}

void TrialMarkers::matchStyle() {
  fresh_->setMarkerShape(all_->markerShape());
  fresh_->setMarkerSize(all_->markerSize());
  fresh_->setPen(all_->pen());
  fresh_->setBrush(all_->brush());
}

void TrialMarkers::restart(bool thin, double x0, double x1, double y0, double y1, double widthPx,
                           double heightPx) {
  markers_.clear();
  fresh_markers_.clear();
  thin_ = thin;
  if (thin) cells_.reset(x0, x1, y0, y1, widthPx, heightPx, kCellPx);
}

bool TrialMarkers::add(const QPointF& v) {
  if (thin_ && !cells_.take(v)) return false;
  fresh_markers_.append(v);
  return true;
}

// Each marker moves to `all` once or twice (amortised: `fresh` settles when
// it is half the size of `all`).
void TrialMarkers::publish(bool settle) {
  if (settle || fresh_markers_.size() > std::max<qsizetype>(256, markers_.size() / 2)) {
    markers_.append(fresh_markers_);
    fresh_markers_.clear();
    all_->replace(markers_);
  }
  fresh_->replace(fresh_markers_);
}

int TrialMarkers::count() const {
  return all_->count() + fresh_->count();
}

// OpenGL series need a context; the offscreen and minimal platforms draw
// without one (grab() of a QOpenGLWidget would be empty there). A software
// renderer (Mesa's llvmpipe, softpipe, swrast) is slower than Qt's own raster
// drawing: under xvfb, following a 10,000-trial log had an event-loop p99 of
// 404 ms with it and 42 ms without (docs/performance.md), so only a
// hardware context turns OpenGL series on.
bool TrialMarkers::openGlAvailable() {
  static const bool on = [] {
    const QByteArray forced = qgetenv("PARETOPRUNE_CHART_OPENGL");
    if (!forced.isEmpty()) return forced != "0";
    const QString platform = QGuiApplication::platformName();
    if (platform == "offscreen" || platform == "minimal") return false;
    QOpenGLContext ctx;
    QOffscreenSurface surface;
    surface.create();
    if (!ctx.create() || !ctx.makeCurrent(&surface)) return false;
    return !isSoftwareRenderer(
        reinterpret_cast<const char*>(ctx.functions()->glGetString(GL_RENDERER)));
  }();
  return on;
}

bool TrialMarkers::isSoftwareRenderer(const char* renderer) {
  const QByteArray r = QByteArray(renderer ? renderer : "").toLower();
  return r.isEmpty() || r.contains("llvmpipe") || r.contains("softpipe") || r.contains("swrast") ||
         r.contains("software");
}

}  // namespace ppui
