#include "ui/decide_links.h"

#include <QTimer>

#include "paretoprune/search/constraint.h"
#include "ui/parallel_coords.h"
#include "ui/pareto_chart.h"
#include "ui/trial_table_model.h"
#include "ui/trials_panel.h"

namespace ppui {

DecideLinks::DecideLinks(TrialTableModel* table, TrialsPanel* trials, ParetoChart* chart,
                         ParallelCoords* parallel, QObject* parent)
    : QObject(parent), table_(table), trials_(trials), chart_(chart), parallel_(parallel) {
  frontTimer_ = new QTimer(this);
  frontTimer_->setSingleShot(true);
  frontTimer_->setInterval(100);
  connect(frontTimer_, &QTimer::timeout, this, [this] {
    const auto& f = table_->frontKeys();
    parallel_->setFront(std::vector<int64_t>(f.begin(), f.end()));
  });
  connect(table_, &QAbstractItemModel::rowsInserted, this,
          [this](const QModelIndex&, int first, int last) { addRows(first, last); });
  connect(table_, &QAbstractItemModel::modelReset, this, &DecideLinks::reloadAll);
  connect(table_, &QAbstractItemModel::rowsRemoved, this, &DecideLinks::reloadAll);
  // setFront marks the rows that joined or left the Pareto set changed.
  connect(table_, &QAbstractItemModel::dataChanged, frontTimer_, qOverload<>(&QTimer::start));
  connect(parallel_, &ParallelCoords::brushChanged, this,
          [this](const std::vector<int64_t>& keys, bool active) {
            chart_->setHighlight(keys, active);
            trials_->setBrushed(keys, active);
          });
  reloadAll();
}

// New rows, grouped by run (compared runs come one run at a time).
void DecideLinks::addRows(int first, int last) {
  const auto& all = table_->trials();
  for (int i = first; i <= last;) {
    const int run = table_->runOfRow(i);
    std::vector<pp::Trial> ts;
    for (; i <= last && table_->runOfRow(i) == run; ++i)
      if (all[static_cast<size_t>(i)].id >= 0) ts.push_back(all[static_cast<size_t>(i)]);
    parallel_->addTrials(ts, run);
  }
  frontTimer_->start();
}

void DecideLinks::reloadAll() {
  parallel_->clear();
  if (table_->rowCount() > 0) addRows(0, table_->rowCount() - 1);
  frontTimer_->start();
}

void DecideLinks::clear() {
  constraints_.clear();
  full_.reset();
  parallel_->clearBrushes();
  pushConstraints();
}

void DecideLinks::setConstraints(const std::vector<std::string>& texts) {
  constraints_ = texts;
  pushConstraints();
}

void DecideLinks::setReference(const std::optional<pp::Trial>& full) {
  full_ = full;
  pushConstraints();
}

void DecideLinks::pushConstraints() {
  std::vector<pp::Constraint> cs;
  for (const auto& t : constraints_) {
    try {
      cs.push_back(pp::parseConstraint(t));
    } catch (const std::exception&) {
    }
  }
  chart_->setConstraints(cs);
  trials_->setConstraints(cs, full_);
}

}  // namespace ppui
