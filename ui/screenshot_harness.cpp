#include "ui/screenshot_harness.h"

#include <QAction>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#include "ui/export_dialog.h"
#include "ui/mainwindow.h"
#include "ui/parallel_coords.h"
#include "ui/picks_bar.h"
#include "ui/recover_actions.h"
#include "ui/trial_table_model.h"

namespace ppui {

ScreenshotHarness::ScreenshotHarness(MainWindow& window, const Options& options)
    : QObject(&window), w_(window), o_(options) {}

void ScreenshotHarness::begin() {
  RunController& run = w_.runController();
  if (!o_.midScreenshot.isEmpty())
    connect(&run, &RunController::progressChanged, this, &ScreenshotHarness::onProgress);
  if (o_.exitWhenDone || o_.start) {
    connect(&run, &RunController::searchEnded, this, &ScreenshotHarness::onSearchEnded);
    QTimer::singleShot(0, this, &ScreenshotHarness::start);
  } else if (!o_.screenshot.isEmpty()) {
    applyView();
    QTimer::singleShot(kSettleMs, this, [this] {
      if (!applyBrushes()) return Q_EMIT done(1);
      QTimer::singleShot(kSettleMs, this,
                         [this] { Q_EMIT done(w_.grab().save(o_.screenshot) ? 0 : 1); });
    });
  }
}

bool ScreenshotHarness::applyBrushes() {
  if (o_.brushes.isEmpty()) return true;
  ParallelCoords* pc = w_.parallelCoords();
  const QStringList names{"metric", "params", "flops", "latency", "size"};
  for (const QString& b : o_.brushes) {
    const int axis = names.indexOf(b.section('=', 0, 0).trimmed());
    const QString range = b.section('=', 1);
    bool ok1 = false, ok2 = false;
    const double lo = range.section(':', 0, 0).toDouble(&ok1),
                 hi = range.section(':', 1, 1).toDouble(&ok2);
    if (axis < 0 || !ok1 || !ok2) {
      std::fprintf(stderr, "paretoprune: --brush \"%s\": write AXIS=LO:HI with AXIS one of %s\n",
                   b.toUtf8().constData(), names.join(", ").toUtf8().constData());
      return false;
    }
    pc->setBrush(static_cast<ParallelCoords::Axis>(axis), lo, hi);
  }
  for (auto* tabs : w_.findChildren<QTabWidget*>())
    if (tabs->indexOf(pc) >= 0) tabs->setCurrentWidget(pc);
  return true;
}

void ScreenshotHarness::start() {
  if (w_.startSearch()) return;
  std::fprintf(stderr, "paretoprune: cannot start: %s\n", w_.validateSetup().toUtf8().constData());
  if (o_.exitWhenDone) Q_EMIT done(1);
}

void ScreenshotHarness::onProgress(const pp::SearchProgress& p) {
  if (midTaken_ || p.done * 2 < p.total) return;
  midTaken_ = true;
  QTimer::singleShot(kMidSettleMs, this, [this] { w_.grab().save(o_.midScreenshot); });
}

void ScreenshotHarness::onSearchEnded(const QString& reason) {
  const bool failed = w_.runController().state() == RunController::State::Failed;
  if (o_.selectFront) selectFront();
  if (!o_.exitWhenDone) return;
  if (!o_.dialogScreenshot.isEmpty() && !w_.selection().empty()) shootDialog();
  const QString outcome = failed ? "failed: " + reason : reason;
  QTimer::singleShot(kSettleMs, this, [this, outcome, failed] { finish(outcome, failed); });
}

// The recommended picks (knee, smallest, fastest: what a user would look
// at first), else two points of the Pareto set, a third and two thirds along it.
void ScreenshotHarness::selectFront() {
  w_.refreshPicks();  // the run just ended: its last trials may not be in them yet
  std::vector<int64_t> pick;
  auto add = [&pick](int64_t key) {
    if (std::find(pick.begin(), pick.end(), key) == pick.end()) pick.push_back(key);
  };
  for (const auto& [name, key] : w_.picksBar()->picks()) add(key);
  if (pick.empty()) {
    const TrialTableModel* table = w_.tableModel();
    std::vector<int64_t> front;
    for (const auto& t : table->trials())
      if (table->isOnFront(t.id)) front.push_back(t.id);
    if (!front.empty()) {
      add(front[front.size() / 3]);
      add(front[2 * front.size() / 3]);
    }
  }
  w_.selectTrials(pick);
}

void ScreenshotHarness::applyView() {
  std::vector<int64_t> ids;
  for (const QString& id : o_.select.split(',', Qt::SkipEmptyParts)) ids.push_back(id.toLongLong());
  if (!ids.empty()) w_.selectTrials(ids);
  if (o_.pickAgain) w_.recovery()->pickAgainAction()->setChecked(true);
}

void ScreenshotHarness::shootDialog() {
  const pp::Trial* t = w_.tableModel()->trial(w_.selection().front());
  ExportDialog* dlg = w_.makeExportDialog(*t).release();
  dlg->setAttribute(Qt::WA_DeleteOnClose);
  dlg->show();
  const QString file = o_.dialogScreenshot;
  QTimer::singleShot(kDialogSettleMs, dlg, [dlg, file] { dlg->grab().save(file); });
}

void ScreenshotHarness::finish(const QString& outcome, bool failed) {
  const QString& shot = o_.screenshot;
  const bool ok = shot.isEmpty() || w_.grab().save(shot);
  std::printf("search %s; %s\n", outcome.toUtf8().constData(),
              shot.isEmpty()
                  ? ""
                  : (ok ? ("screenshot " + shot).toUtf8().constData() : "screenshot failed"));
  Q_EMIT done(ok && !failed ? 0 : 1);
}

}  // namespace ppui
