#include "ui/recover_actions.h"

#include <QAction>
#include <QDir>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QToolBar>

#include <algorithm>
#include <chrono>
#include <memory>
#include <unordered_map>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/search/pick_again.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/recovered_details.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace ppui {

RecoverActions::RecoverActions(MainWindow* window) : QObject(window), w_(window) {
  recover_ = new QAction(tr("&Recover selection..."), this);
  recover_->setObjectName("recover");
  recover_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  pickAgain_ = new QAction(tr("&Pick again over recovered points"), this);
  pickAgain_->setObjectName("pickAgain");
  pickAgain_->setCheckable(true);
  connect(recover_, &QAction::triggered, this, &RecoverActions::openDialog);
  connect(pickAgain_, &QAction::toggled, this, &RecoverActions::updatePickAgain);
  bar_ = new QProgressBar(window);
  bar_->setObjectName("recoverProgress");
  bar_->setMaximumWidth(200);
  bar_->setFormat(tr("recovering %p%"));
  cancel_ = new QPushButton(tr("Cancel recovery"), window);
  cancel_->setObjectName("recoverCancel");
  cancel_->setToolTip(
      tr("Stop at the next step; the pick's checkpoint is kept, and Recover... "
         "with the same folder resumes it"));
  connect(cancel_, &QPushButton::clicked, this, &RecoverActions::cancel);
  window->statusBar()->addPermanentWidget(bar_);
  window->statusBar()->addPermanentWidget(cancel_);
  bar_->hide();
  cancel_->hide();
  RunController* run = &window->runController();
  connect(run, &RunController::recoveredShown, this, &RecoverActions::showRecovered);
  connect(run, &RunController::cleared, this, &RecoverActions::showRecovered);
  connect(run, &RunController::stateChanged, this, &RecoverActions::refresh);
  connect(run, &RunController::logShown, this, &RecoverActions::refresh);
  connect(run, &RunController::frontChanged, this, [this] {
    if (pickAgain_->isChecked()) updatePickAgain();  // the table follows the front picked again
  });
}

RecoverActions::~RecoverActions() = default;  // task_ asks the recovery to stop and waits

void RecoverActions::install(QMenu* menu, QToolBar* bar, QMenu* view) {
  menu->addSeparator();
  menu->addAction(recover_);
  menu->setToolTipsVisible(true);  // the reason a disabled Recover... gives
  bar->addSeparator();
  bar->addAction(recover_);
  view->addAction(pickAgain_);
  view->setToolTipsVisible(true);
  // Right-click on the chart or the table: the same action, its reason shown.
  for (QWidget* target : std::initializer_list<QWidget*>{w_->chart(), w_->tableView()}) {
    target->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(target, &QWidget::customContextMenuRequested, this, [this, target](const QPoint& p) {
      refresh();
      auto* m = new QMenu(target);
      m->setAttribute(Qt::WA_DeleteOnClose);
      m->setToolTipsVisible(true);
      m->addAction(recover_);
      m->addAction(pickAgain_);
      m->popup(target->mapToGlobal(p));
    });
  }
  refresh();
}

QString RecoverActions::whyNot() const {
  const RunController& run = w_->runController();
  if (task_.running()) return tr("A recovery is running (Cancel recovery in the status bar).");
  if (run.comparer()->active())
    return tr("Runs are compared: open one run's log to recover its points.");
  if (run.session().logPath().isEmpty() || !run.session().run())
    return tr(
        "Open a run log (File > Open run log) or run a search first: recovery reads the "
        "run's log and records into it.");
  if (run.isRunning())
    return tr("Wait for the search to end, or stop it: recovery appends to its run log.");
  if (w_->selection().empty())
    return tr("Select the points to recover on the chart or in the table (shift-click adds).");
  return {};
}

void RecoverActions::refresh() {
  const QString why = whyNot();
  recover_->setEnabled(why.isEmpty());
  const auto& sel = w_->selection();
  recover_->setToolTip(why.isEmpty() ? tr("Fine-tune the %n selected sub-network(s), distilled "
                                          "from the full model, and record them in the run log",
                                          nullptr, static_cast<int>(sel.size()))
                                     : why);
  recover_->setStatusTip(recover_->toolTip());
  const bool any = !w_->runController().recovered().empty();
  pickAgain_->setEnabled(any || pickAgain_->isChecked());
  pickAgain_->setToolTip(any ? tr("The front over the recovered points and the trials they "
                                  "did not beat (paretoprune-cli front --recovered)")
                             : tr("No point of this run was recovered yet: Recover... first."));
}

void RecoverActions::openDialog() {
  refresh();
  if (!whyNot().isEmpty()) {
    Q_EMIT status(whyNot());
    return;
  }
  RecoverDialog dlg(w_->runController().session().logPath(), w_->selection(), w_);
  if (dlg.exec() == QDialog::Accepted) start(dlg.settings());
}

bool RecoverActions::start(const RecoverSettings& s) {
  QString why = whyNot();
  if (why.isEmpty() && s.outDir.isEmpty()) why = tr("Choose an output folder for the recovery.");
  if (!why.isEmpty()) {
    message_ = why;
    Q_EMIT status(why);
    return false;
  }
  pp::RecoverRequest r;
  r.logPath = w_->runController().session().logPath().toStdString();
  for (int64_t key : w_->selection()) r.trials.push_back(idOfKey(key));
  r.outDir = QDir::cleanPath(s.outDir).toStdString();
  r.testFile = s.testFile.toStdString();
  r.options.budgetSteps = s.budgetSteps;
  r.options.budgetSeconds = s.budgetSeconds;
  r.options.distill = s.distill;
  auto report = std::make_shared<pp::RecoverReport>();
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  const bool started = task_.start(
      [this, r, report, last] {
        pp::useComputeThreads(pp::ComputeUse::Training, pp::hardwareThreads());
        *report = pp::runRecovery(r, [this, last](const pp::RecoverProgress& p) {
          // At most ten updates a second reach the window.
          const auto now = std::chrono::steady_clock::now();
          if (now - *last > std::chrono::milliseconds(100) || p.step == 0) {
            *last = now;
            task_.post([this, p] { showProgress(p); });
          }
          return !task_.stopRequested();
        });
      },
      [this, report, out = s.outDir](const QString& error) { onFinished(error, *report, out); });
  if (!started) return false;
  bar_->setRange(0, static_cast<int>(r.trials.size()) * 1000);
  bar_->setValue(0);
  bar_->show();
  cancel_->setEnabled(true);
  cancel_->show();
  message_ = tr("Recovering %n trial(s): loading the model and the data...", nullptr,
                static_cast<int>(r.trials.size()));
  Q_EMIT status(message_);
  refresh();
  return true;
}

void RecoverActions::cancel() {
  if (!task_.running()) return;
  task_.requestStop();
  cancel_->setEnabled(false);
  Q_EMIT status(tr("Stopping the recovery at the next step (its checkpoint is kept)..."));
}

void RecoverActions::showProgress(const pp::RecoverProgress& p) {
  // A pick's learning-rate probe fills the first fifth of its share of the
  // bar and training the rest, so that the bar never goes back when the
  // probe's steps end and training's begin.
  const double frac =
      p.steps > 0 ? std::min(1.0, static_cast<double>(p.step) / static_cast<double>(p.steps)) : 0.0;
  const bool probe = p.phase == "probe";
  const double within = probe ? 0.2 * frac : 0.2 + 0.8 * frac;
  bar_->setValue(std::max(bar_->value(), static_cast<int>(1000 * (p.pick - 1) + 1000 * within)));
  QString line = tr("Recovering trial %1 (%2 of %3): %4, step %5 of %6")
                     .arg(p.source)
                     .arg(p.pick)
                     .arg(p.picks)
                     .arg(QString::fromStdString(p.phase))
                     .arg(p.step)
                     .arg(p.steps);
  if (p.learningRate > 0) line += tr(", lr %1").arg(p.learningRate, 0, 'g', 2);
  if (p.step > 0) line += tr(", loss %1").arg(p.loss, 0, 'f', 3);
  if (p.holdoutAccuracy >= 0)
    line += tr(", held-out accuracy %1%").arg(100.0 * p.holdoutAccuracy, 0, 'f', 1);
  message_ = line;
  Q_EMIT status(line);
}

// On the UI thread: the picks recorded so far (also when stopped or
// failed: finished picks are in the log) shown, and what happened said.
void RecoverActions::onFinished(const QString& error, const pp::RecoverReport& report,
                                const QString& out) {
  bar_->hide();
  cancel_->hide();
  QString reloadError;
  const bool reloaded = w_->runController().reloadRecovered(&reloadError);
  QStringList picks;
  for (const auto& p : report.picks)
    picks << tr("trial %1 %2% → %3% error%4")
                 .arg(p.before.id)
                 .arg(100.0 * p.before.errorRate, 0, 'f', 1)
                 .arg(100.0 * p.recovered.trial.errorRate, 0, 'f', 1)
                 .arg(p.reused             ? tr(" (finished earlier)")
                      : p.resumedStep >= 0 ? tr(" (resumed at step %1)").arg(p.resumedStep)
                                           : QString());
  const bool ok = error.isEmpty() && !report.stopped;
  if (!error.isEmpty())
    message_ = tr("Recovery failed: %1").arg(error);
  else if (report.stopped)
    message_ = tr("Recovery stopped (%1 finished). Recover... again with the output folder %2 "
                  "resumes it.")
                   .arg(picks.isEmpty() ? tr("none") : picks.join(", "), out);
  else
    message_ = tr("Recovered %1; recorded in the run log.").arg(picks.join(", "));
  if (!reloaded) message_ += tr(" (The log could not be read again: %1)").arg(reloadError);
  Q_EMIT status(message_);
  if (!error.isEmpty()) {
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("Recovery failed"), error, QMessageBox::Ok, w_);
    box->setObjectName("recoverError");
    box->setTextFormat(Qt::PlainText);  // paths and log text
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  }
  refresh();
  Q_EMIT finished(ok, message_);
}

// The recovered trials of the run shown: arrows on the chart, the
// Recovered column, and the front picked again when asked.
void RecoverActions::showRecovered() {
  const RunController& run = w_->runController();
  const TrialTableModel* table = w_->tableModel();
  std::vector<ParetoChart::Recovered> arrows;
  std::unordered_map<int64_t, std::vector<TrialTableModel::RecoveredCell>> cells;
  for (const auto& r : run.recovered()) {
    const pp::Trial* source = table->trial(trialKey(0, r.source));
    if (!source) continue;  // not shown (a log cut short)
    arrows.push_back({*source, r.trial, QString::fromStdString(r.method), recoveredHow(r)});
    cells[r.source].push_back(
        {r.trial.errorRate, QString::fromStdString(r.method), recoveredHow(r)});
  }
  w_->chart()->setRecovered(std::move(arrows));
  w_->tableModel()->setRecovered(cells);
  w_->tableView()->setRecoveredShown(!cells.empty());
  updatePickAgain();
  refresh();
}

// With Pick again on, the chart shows the front over the recovered points
// too and the table's "Pareto set only" filter follows it (a row stands
// for its recovered version); off, both go back to the search's front.
void RecoverActions::updatePickAgain() {
  const RunController& run = w_->runController();
  const auto& header = run.session().run();
  if (!pickAgain_->isChecked() || run.recovered().empty() || !header) {
    w_->chart()->setPickedAgain({});
    if (tableFollows_) {  // the search's front again
      tableFollows_ = false;
      w_->tableModel()->setFront(run.frontIds());
      Q_EMIT pickedAgain();
    }
    return;
  }
  std::vector<pp::Trial> trials;
  for (const auto& t : w_->tableModel()->trials())
    if (t.id >= 0) trials.push_back(t);
  const pp::Trial* ref = run.reference() ? &*run.reference() : nullptr;
  const std::vector<pp::Constraint> cs = run.usableConstraints(*header);
  const pp::PickedAgain p = pp::pickAgain(trials, run.recovered(), header->objectives, cs, ref);
  std::vector<pp::Trial> front;
  std::vector<int64_t> ids;
  int recovered = 0;
  for (size_t i : p.front) {
    front.push_back(p.all[i]);
    ids.push_back(p.all[i].id);
    if (i >= trials.size()) ++recovered;
  }
  w_->chart()->setPickedAgain(front);
  w_->tableModel()->setFront(ids);
  tableFollows_ = true;
  Q_EMIT pickedAgain();
  Q_EMIT status(tr("Picked again: the front has %1 points, %2 of them recovered.")
                    .arg(front.size())
                    .arg(recovered));
}

}  // namespace ppui
