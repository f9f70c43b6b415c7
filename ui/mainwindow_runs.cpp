// The main window's runs from elsewhere: a run log or a study opened and
// shown (a study polled for new trials), and runs compared on one chart.
// The window itself is in mainwindow.cpp, its widgets in
// mainwindow_setup.cpp.
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QSpinBox>
#include <QStatusBar>
#include <QTimer>

#include "paretoprune/base/error.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/run_log.h"
#include "ui/hypervolume_chart.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/run_comparer.h"
#include "ui/trial_table_model.h"

namespace ppui {

void MainWindow::openLog() {
  const QString f =
      QFileDialog::getOpenFileName(this, tr("Run log"), QString(), tr("Run logs (*.jsonl)"));
  if (!f.isEmpty() && !showRunLog(f))
    QMessageBox::warning(this, tr("Cannot open the run log"), statusLine_->text());
}

// A run's trials, front and full model, from a log or a study; the form is
// filled so that Start continues it.
void MainWindow::showRun(const pp::OpenedRunLog& run, const QString& logPath) {
  const pp::LogContents& lc = run.log;
  studyTimer_->stop();
  studyName_.clear();
  comparer_->clear();
  openModel(QString::fromStdString(run.modelDir));
  const pp::DataSplit& split = lc.header.data;
  if (!split.data.empty() || !split.validation.empty())
    setDataFiles(QString::fromStdString(split.data), QString::fromStdString(split.validation));
  logEdit_->setText(logPath);
  if (trialsSpin_->value() > 0)  // auto (0) stays auto: a resumed run keeps its first choice
    trialsSpin_->setValue(std::max<int>(trialsSpin_->value(), static_cast<int>(lc.trials.size())));
  table_->clear();
  chart_->clear();
  hvChart_->clear();
  reference_.reset();
  selectTrials({});
  fullParams_ = pp::parameterCount(run.config);
  table_->setReferenceParams(*fullParams_);
  session_.setRun(lc.header, logPath);
  showAutoChoices(lc.header);
  if (run.reference) {
    reference_ = run.reference;
    chart_->setReference(*reference_);
  }
  addShownTrials(lc.trials, lc.header);
}

// Adds trials to the table and chart and recomputes the front and progress.
void MainWindow::addShownTrials(const std::vector<pp::Trial>& trials, const pp::RunHeader& h) {
  table_->addTrials(trials);
  for (const auto& t : trials) chart_->queueTrial(t);
  chart_->flushNow();
  const auto& all = table_->trials();
  std::vector<int64_t> front;
  for (size_t i : pp::paretoTrials(all, h.objectives)) front.push_back(all[i].id);
  table_->setFront(front);
  chart_->setFront(front);
  progress_->setRange(0, static_cast<int>(std::clamp<int64_t>(h.trials, 1, 1000000000)));
  progress_->setValue(static_cast<int>(all.size()));
  updateDetails();
}

bool MainWindow::showRunLog(const QString& path) {
  if (controller_.isRunning()) {
    statusLine_->setText(tr("Stop the running search first."));
    return false;
  }
  try {
    const pp::OpenedRunLog run = pp::openRunLog(path.toStdString());
    showRun(run, path);
    QString msg = tr("%1: %2 trials, %3 on the Pareto front. Start continues the run (finished "
                     "trials are not "
                     "evaluated again).")
                      .arg(path)
                      .arg(run.log.trials.size())
                      .arg(table_->frontSize());
    for (const auto& w : run.log.warnings)
      msg += " " + tr("Warning: %1").arg(QString::fromStdString(w));
    statusLine_->setText(msg);
    addRecentLog(path);
    return true;
  } catch (const std::exception& e) {
    statusLine_->setText(tr("Cannot open the run log: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

bool MainWindow::showStudy(const QString& url, const QString& name) {
  if (controller_.isRunning()) {
    statusLine_->setText(tr("Stop the running search first."));
    return false;
  }
  try {
    const pp::OpenedRunLog run = pp::openStudy(url.toStdString(), name.toStdString());
    showRun(run, QString());
    studyUrl_ = url;
    studyName_ = name;
    statusLine_->setText(tr("Study %1 at %2: %3 trials, %4 on the Pareto front%5.")
                             .arg(name, QString::fromStdString(pp::redactUrl(url.toStdString())))
                             .arg(run.log.trials.size())
                             .arg(table_->frontSize())
                             .arg(run.log.stops.empty() ? tr(", live") : tr(", finished")));
    if (run.log.stops.empty()) studyTimer_->start();
    return true;
  } catch (const std::exception& e) {
    statusLine_->setText(tr("Cannot open the study: %1").arg(QString::fromStdString(e.what())));
    return false;
  }
}

// The shown study's new trials, read on a background thread.
void MainWindow::pollStudy() {
  if (studyTask_.running() || studyName_.isEmpty()) return;
  auto run = std::make_shared<pp::OpenedRunLog>();
  const std::string url = studyUrl_.toStdString(), name = studyName_.toStdString(),
                    model = session_.modelDir().toStdString();
  studyTask_.start(
      [run, url, name, model] { *run = pp::openStudy(url, name, model); },
      [this, run, name = studyName_](const QString& error) {
        if (name != studyName_) return;  // another run is shown now
        if (!error.isEmpty()) {
          statusBar()->showMessage(tr("Study %1: %2 (trying again)").arg(name, error), 5000);
          return;
        }
        std::vector<pp::Trial> fresh;
        for (const auto& t : run->log.trials)
          if (!table_->trial(t.id)) fresh.push_back(t);
        if (!fresh.empty()) addShownTrials(fresh, run->log.header);
        const bool finished = !run->log.stops.empty();
        statusLine_->setText(
            tr("Study %1: %2 of %3 trials, %4 on the Pareto front%5.")
                .arg(name)
                .arg(table_->rowCount())
                .arg(run->log.header.trials)
                .arg(table_->frontSize())
                .arg(finished
                         ? tr(", finished: ") + QString::fromStdString(run->log.stops.back().reason)
                         : tr(", live")));
        if (finished) studyTimer_->stop();
      });
}

// Asks for a study's URL and name; false when the user cancels.
bool MainWindow::askForStudy(const QString& title, const QString& name0, QString* url,
                             QString* name) {
  bool ok = false;
  *url = QInputDialog::getText(this, title, tr("PostgreSQL URL (postgresql://user@host/db):"),
                               QLineEdit::Normal, studyUrl_, &ok);
  if (!ok || url->isEmpty()) return false;
  *name = QInputDialog::getText(this, title, tr("Study name:"), QLineEdit::Normal, name0, &ok);
  return ok && !name->isEmpty();
}

void MainWindow::openStudyDialog() {
  QString url, name;
  if (!askForStudy(tr("Open study"), studyName_, &url, &name)) return;
  if (!showStudy(url, name))
    QMessageBox::warning(this, tr("Cannot open the study"), statusLine_->text());
}

QStringList MainWindow::shownRuns() const {
  QStringList runs;
  if (const pp::RunComparison* cmp = comparer_->comparison()) {
    for (const auto& r : cmp->runs) runs << QString::fromStdString(r.source.text());
  } else if (!studyName_.isEmpty()) {
    runs << QString::fromStdString(
        pp::RunSource{"", studyUrl_.toStdString(), studyName_.toStdString()}.text());
  } else if (session_.run() && !session_.logPath().isEmpty()) {
    runs << session_.logPath();
  }
  return runs;
}

// The shown run (or runs) and a study, compared on one chart.
void MainWindow::compareWithStudyDialog() {
  QString url, name;
  if (!askForStudy(tr("Compare with a study"), QString(), &url, &name)) return;
  const QStringList runs = shownRuns() << QString::fromStdString(
                               pp::RunSource{"", url.toStdString(), name.toStdString()}.text());
  if (runs.size() < 2) {
    QMessageBox::information(this, tr("Compare with a study"),
                             tr("Open a run log or a study first: the study is compared with it."));
    return;
  }
  if (!compareRuns(runs))
    QMessageBox::warning(this, tr("Cannot compare the runs"), statusLine_->text());
}

}  // namespace ppui
