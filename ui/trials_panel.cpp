#include "ui/trials_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/selection_details.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace ppui {

TrialsPanel::TrialsPanel(TrialTableModel* trials, QWidget* window)
    : QObject(window), model_(trials) {
  proxy_ = new TrialFilterProxy(this);
  proxy_->setSourceModel(model_);
  view_ = new TrialTableView(window);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(TrialTableModel::Id, Qt::AscendingOrder);
  details_ = new QTextBrowser(window);
  details_->setOpenLinks(false);
  tablePage_ = new QWidget(window);
  auto* tl = new QVBoxLayout(tablePage_);
  paretoOnly_ = new QCheckBox(tr("Pareto set only"), tablePage_);
  auto* filters = new QHBoxLayout;
  filters->addWidget(paretoOnly_);
  feasibleOnly_ = new QCheckBox(tr("Feasible only"), tablePage_);
  feasibleOnly_->setObjectName("feasibleOnly");
  feasibleOnly_->setToolTip(tr("Only the trials that meet every constraint of the run"));
  feasibleOnly_->setVisible(false);  // until the run has constraints
  filters->addWidget(feasibleOnly_);
  runFilter_ = new QComboBox(tablePage_);
  runFilter_->setObjectName("runFilter");
  filters->addWidget(runFilter_);
  brushNote_ = new QLabel(tablePage_);
  brushNote_->setObjectName("brushNote");
  brushNote_->setVisible(false);
  filters->addWidget(brushNote_);
  filters->addStretch(1);
  tl->addLayout(filters);
  tl->addWidget(view_);
  connect(paretoOnly_, &QCheckBox::toggled, proxy_, &TrialFilterProxy::setParetoOnly);
  connect(feasibleOnly_, &QCheckBox::toggled, proxy_, &TrialFilterProxy::setFeasibleOnly);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    if (syncing_) return;
    std::vector<int64_t> ids;
    for (const auto& idx : view_->selectionModel()->selectedRows())
      ids.push_back(idx.data(TrialTableModel::TrialIdRole).toLongLong());
    if (ids.size() > 3) ids.erase(ids.begin(), ids.end() - 3);
    Q_EMIT selectionChanged(ids);
  });
}

void TrialsPanel::select(const std::vector<int64_t>& keys) {
  selection_ = keys;
  syncing_ = true;
  view_->clearSelection();
  for (int64_t key : keys) {
    const int row = model_->rowOf(key);
    if (row < 0) continue;
    const QModelIndex idx = proxy_->mapFromSource(model_->index(row, 0));
    if (idx.isValid())
      view_->selectionModel()->select(idx, QItemSelectionModel::Select | QItemSelectionModel::Rows);
  }
  if (!keys.empty()) {
    const int row = model_->rowOf(keys.back());
    if (row >= 0) view_->scrollTo(proxy_->mapFromSource(model_->index(row, 0)));
  }
  syncing_ = false;
}

std::vector<pp::Trial> TrialsPanel::selectedTrials() const {
  std::vector<pp::Trial> sel;
  for (int64_t key : selection_)
    if (const pp::Trial* t = model_->trial(key)) sel.push_back(*t);
  return sel;
}

QString TrialsPanel::detailsHtml(const std::function<QString(int64_t)>& title,
                                 const std::optional<pp::Trial>& full,
                                 const pp::ModelConfig& config) const {
  std::vector<const pp::Trial*> sel;
  QStringList titles;
  for (int64_t key : selection_)
    if (const pp::Trial* t = model_->trial(key)) {
      sel.push_back(t);
      titles << title(key);
    }
  return selectionDetailsHtml(sel, titles, full, config);
}

void TrialsPanel::showDetails(const QString& html) {
  details_->setHtml(html);
}

void TrialsPanel::setConstraints(const std::vector<pp::Constraint>& cs,
                                 const std::optional<pp::Trial>& full) {
  proxy_->setConstraints(cs, full);
  feasibleOnly_->setVisible(!cs.empty());
  if (cs.empty()) feasibleOnly_->setChecked(false);
}

void TrialsPanel::setBrushed(const std::vector<int64_t>& keys, bool active) {
  proxy_->setKeyFilter(active ? std::optional<std::vector<int64_t>>(keys) : std::nullopt);
  brushNote_->setVisible(active);
  brushNote_->setText(
      tr("%n trial(s) brushed in Parallel coordinates (click an axis there to clear)", "",
         static_cast<int>(keys.size())));
}

}  // namespace ppui
