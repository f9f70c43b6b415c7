#include "ui/run_comparer.h"

#include <QComboBox>

#include "paretoprune/base/error.h"
#include "paretoprune/model/metrics.h"
#include "ui/hypervolume_chart.h"
#include "ui/pareto_chart.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace ppui {

RunComparer::RunComparer(const Views& views, QObject* parent) : QObject(parent), v_(views) {
  v_.runFilter->hide();
  connect(v_.runFilter, &QComboBox::currentIndexChanged, this,
          [this](int i) { v_.proxy->setRunFilter(i - 1); });
  connect(v_.chart, &ParetoChart::runVisibilityChanged, this, [this](int run, bool on) {
    if (active()) v_.hypervolume->setCurveVisible(run, on);
  });
}

bool RunComparer::load(const QStringList& logs, QString* error) {
  std::vector<std::string> paths;
  for (const QString& l : logs) paths.push_back(l.toStdString());
  pp::RunComparison cmp;
  try {
    if (paths.size() < 2) throw pp::Error("choose two runs or more to compare");
    cmp = pp::compareRuns(paths);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  cmp_ = std::move(cmp);
  QStringList names;
  for (const auto& r : cmp_->runs) names << QString::fromStdString(r.label);
  v_.table->clear();
  v_.table->setRunNames(names);
  v_.table->setReferenceParams(pp::parameterCount(cmp_->runs.front().run.config));
  v_.chart->setRuns(names);
  v_.chart->setChanceError(cmp_->runs.front().run.log.header.chanceError);
  for (const auto& r : cmp_->runs)
    if (r.run.reference) {
      v_.chart->setReference(*r.run.reference);
      break;
    }
  std::vector<HypervolumeChart::Curve> curves;
  for (size_t i = 0; i < cmp_->runs.size(); ++i) {
    const pp::ComparedRun& r = cmp_->runs[i];
    const int run = static_cast<int>(i);
    std::vector<int64_t> front;
    for (size_t k : r.front) front.push_back(r.run.log.trials[k].id);
    v_.table->addTrials(r.run.log.trials, run);
    v_.table->setFront(front, run);
    for (const auto& t : r.run.log.trials) v_.chart->queueTrial(t, run);
    v_.chart->setFront(front, run);
    curves.push_back({QString("%1 (%2)").arg(names[run]).arg(r.hypervolume, 0, 'f', 4),
                      runColor(run), r.hypervolumeByTrial});
  }
  v_.chart->flushNow();
  std::vector<std::optional<pp::Trial>> refs;
  for (const auto& r : cmp_->runs) refs.push_back(r.run.reference);
  v_.chart->setRunReferences(refs);
  v_.hypervolume->setCurves(curves);
  v_.runFilter->blockSignals(true);
  v_.runFilter->clear();
  v_.runFilter->addItem(tr("All runs"));
  v_.runFilter->addItems(names);
  v_.runFilter->setCurrentIndex(0);
  v_.runFilter->blockSignals(false);
  v_.proxy->setRunFilter(-1);
  v_.runFilter->show();
  v_.view->setRunsCompared(true);
  return true;
}

void RunComparer::clear() {
  cmp_.reset();
  v_.runFilter->hide();
  v_.proxy->setRunFilter(-1);
  v_.view->setRunsCompared(false);
}

const pp::ComparedRun* RunComparer::runOf(int64_t key) const {
  if (!cmp_) return nullptr;
  const int run = runOfKey(key);
  return run >= 0 && static_cast<size_t>(run) < cmp_->runs.size()
             ? &cmp_->runs[static_cast<size_t>(run)]
             : nullptr;
}

QString RunComparer::describe(int64_t key) const {
  const pp::ComparedRun* r = runOf(key);
  if (!r) return tr("trial %1").arg(key);
  return tr("trial %1 of run %2 (%3)")
      .arg(idOfKey(key))
      .arg(QString::fromStdString(r->label), QString::fromStdString(r->logPath));
}

QString RunComparer::summary() const {
  if (!cmp_) return {};
  QStringList parts;
  for (const auto& r : cmp_->runs)
    parts << QString("%1 %2").arg(QString::fromStdString(r.label)).arg(r.hypervolume, 0, 'f', 4);
  QString s = tr("%1 runs compared, hypervolume on one scale: %2; %3 sub-networks in the Pareto "
                 "set of all runs. "
                 "Click a legend entry to hide its run.")
                  .arg(cmp_->runs.size())
                  .arg(parts.join(", "))
                  .arg(cmp_->combinedFront.size());
  for (const auto& w : cmp_->warnings) s += " " + tr("Warning: %1").arg(QString::fromStdString(w));
  return s;
}

}  // namespace ppui
