#include "ui/trial_table_model.h"

#include <algorithm>

#include "ui/axis_ticks.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include "ui/trial_key.h"

namespace ppui {

TrialTableModel::TrialTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TrialTableModel::clear() {
  beginResetModel();
  trials_.clear();
  runs_.clear();
  rowByKey_.clear();
  front_.clear();
  runNames_.clear();
  recovered_.clear();
  endResetModel();
}

QString TrialTableModel::columnKey(int column) {
  static const char* keys[] = {"run",    "trial", "subnet", "accuracy", "error",     "recovered",
                               "params", "share", "flops",  "latency",  "eval_time", "status"};
  return column >= 0 && column < ColumnCount ? QString(keys[column]) : QString();
}

void TrialTableModel::setRunNames(const QStringList& names) {
  runNames_ = names;
  if (!trials_.empty()) Q_EMIT dataChanged(index(0, Run), index(rowCount() - 1, Run));
}

void TrialTableModel::addTrials(const std::vector<pp::Trial>& ts, int run) {
  if (ts.empty()) return;
  const int first = static_cast<int>(trials_.size());
  beginInsertRows({}, first, first + static_cast<int>(ts.size()) - 1);
  for (const auto& t : ts) {
    rowByKey_[trialKey(run, t.id)] = static_cast<int>(trials_.size());
    trials_.push_back(t);
    runs_.push_back(run);
  }
  endInsertRows();
}

// Only the rows that joined or left the Pareto set change (the filter proxy
// re-filters just those): a new front costs its own size, not the table's.
void TrialTableModel::setFront(const std::vector<int64_t>& ids, int run) {
  std::set<int64_t> next;
  for (int64_t id : ids) next.insert(trialKey(run, id));
  std::vector<int> rows;
  for (auto it = front_.begin(); it != front_.end();) {
    if (runOfKey(*it) != run || next.count(*it)) {
      ++it;
      continue;
    }
    if (int row = rowOf(*it); row >= 0) rows.push_back(row);
    it = front_.erase(it);
  }
  for (int64_t key : next)
    if (front_.insert(key).second)
      if (int row = rowOf(key); row >= 0) rows.push_back(row);
  std::sort(rows.begin(), rows.end());
  for (size_t i = 0; i < rows.size();) {  // contiguous rows in one signal
    size_t j = i + 1;
    while (j < rows.size() && rows[j] == rows[j - 1] + 1) ++j;
    Q_EMIT dataChanged(index(rows[i], 0), index(rows[j - 1], ColumnCount - 1));
    i = j;
  }
}

const pp::Trial* TrialTableModel::trial(int64_t key) const {
  auto it = rowByKey_.find(key);
  return it == rowByKey_.end() ? nullptr : &trials_[static_cast<size_t>(it->second)];
}

int TrialTableModel::rowOf(int64_t key) const {
  auto it = rowByKey_.find(key);
  return it == rowByKey_.end() ? -1 : it->second;
}

int TrialTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(trials_.size());
}

int TrialTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

void TrialTableModel::setTagger(bool on) {
  if (tagger_ == on) return;
  tagger_ = on;
  Q_EMIT headerDataChanged(Qt::Horizontal, Accuracy, Error);
}

QVariant TrialTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal) return {};
  if (role == Qt::ToolTipRole && tagger_ && (section == Accuracy || section == Error))
    return section == Accuracy
               ? tr("Token accuracy: the share of words tagged right (each word's first piece)")
               : tr("1 - entity F1 (CoNLL chunks, micro-averaged): what the search minimises");
  if (role != Qt::DisplayRole) return {};
  if (tagger_ && section == Accuracy) return tr("Token acc.");
  if (tagger_ && section == Error) return tr("1 - F1");
  static const char* names[] = {"Run",   "Trial",     "Sub-network", "Accuracy",
                                "Error", "Recovered", "Parameters",  "Share",
                                "FLOPs", "Latency",   "Eval time",   "Status"};
  return tr(names[section]);
}

QVariant TrialTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const pp::Trial& t = trials_[static_cast<size_t>(index.row())];
  const int run = runs_[static_cast<size_t>(index.row())];
  const int64_t key = trialKey(run, t.id);
  const bool ok = t.ok();
  if (role == TrialIdRole) return QVariant::fromValue<qlonglong>(key);
  if (role == RunRole) return run;
  if (role == SortRole) return sortValue(t, index.column(), key);
  if (role == Qt::FontRole && front_.count(key)) {
    QFont f;
    f.setBold(true);
    return f;
  }
  if (role == Qt::ForegroundRole && !ok)
    return QBrush(t.status == pp::Trial::Status::Failed ? QColor(180, 40, 40)
                                                        : QColor(120, 120, 120));
  if (role == Qt::TextAlignmentRole && index.column() != SubNet && index.column() != Status &&
      index.column() != Run)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole && !t.error.empty())  // a log's or database's text, never markup
    return QStringLiteral("<qt>%1</qt>").arg(QString::fromStdString(t.error).toHtmlEscaped());
  if (index.column() == Recovered && role != Qt::TextAlignmentRole)
    return recoveredValue(key, role);
  if (role == Qt::ToolTipRole && index.column() == SubNet)
    return QString::fromStdString(t.subnet.summary());
  if (role != Qt::DisplayRole) return {};
  return displayValue(t, index.column(), run, key);
}

QVariant TrialTableModel::sortValue(const pp::Trial& t, int column, int64_t key) const {
  const bool ok = t.ok();
  switch (column) {
    case Run:
      return QVariant::fromValue<qlonglong>(key);
    case Id:
      return QVariant::fromValue<qlonglong>(t.id);
    case SubNet:
      return QVariant::fromValue<qlonglong>(t.params);
    case Accuracy:
      return ok ? t.accuracy : -1.0;
    case Error:
      return ok ? t.errorRate : 2.0;
    case Recovered:
      return recoveredValue(key, SortRole);
    case Params:
    case Share:
      return QVariant::fromValue<qlonglong>(t.params);
    case Flops:
      return QVariant::fromValue<qlonglong>(t.flops);
    case Latency:
      return t.latencyMs;
    case EvalTime:
      return t.evalSeconds;
    case Status:
      return QString(pp::statusName(t.status));
  }
  return {};
}

QVariant TrialTableModel::displayValue(const pp::Trial& t, int column, int run, int64_t key) const {
  const bool ok = t.ok();
  QLocale loc;
  switch (column) {
    case Run:
      return run < runNames_.size() ? runNames_[run] : QString();
    case Id:
      return QVariant::fromValue<qlonglong>(t.id);
    case SubNet:
      return QString::fromStdString(t.subnet.summary());
    case Accuracy:
      return ok ? QString::number(100.0 * t.accuracy, 'f', 2) + " %" : QString();
    case Error:
      return ok ? QString::number(t.errorRate, 'f', 4) : QString();
    case Recovered:
      return recoveredValue(key, Qt::DisplayRole);
    case Params:
      return loc.toString(static_cast<qlonglong>(t.params));
    case Share:
      return fullParams_ > 0 ? QString::number(100.0 * static_cast<double>(t.params) /
                                                   static_cast<double>(fullParams_),
                                               'f', 1) +
                                   " %"
                             : QString();
    case Flops:
      return countLabel(static_cast<double>(t.flops));
    case Latency:
      return t.latencyMs > 0 ? QString::number(t.latencyMs, 'f', 2) + " ms" : QString();
    case EvalTime:
      return t.evalSeconds >= 0 ? QString::number(t.evalSeconds, 'f', 2) + " s" : QString();
    case Status: {
      QString s = pp::statusName(t.status);
      if (front_.count(key)) s = tr("Pareto");
      if (!t.error.empty()) s += ": " + QString::fromStdString(t.error);
      return s;
    }
  }
  return {};
}

void TrialTableModel::setRecovered(
    const std::unordered_map<int64_t, std::vector<RecoveredCell>>& byId) {
  recovered_.clear();
  for (const auto& [id, cells] : byId) recovered_[trialKey(0, id)] = cells;
  if (!trials_.empty()) Q_EMIT dataChanged(index(0, Recovered), index(rowCount() - 1, Recovered));
}

// "0.1520 distill" per recovered version; sorted by the lowest error.
QVariant TrialTableModel::recoveredValue(int64_t key, int role) const {
  auto it = recovered_.find(key);
  if (it == recovered_.end()) return role == SortRole ? QVariant(3.0) : QVariant();
  QStringList parts, hows;
  double best = 3.0;
  for (const auto& c : it->second) {
    parts << QString("%1 %2").arg(c.errorRate, 0, 'f', 4).arg(c.method);
    hows << c.how;
    best = std::min(best, c.errorRate);
  }
  if (role == SortRole) return best;
  if (role == Qt::DisplayRole) return parts.join(", ");
  if (role == Qt::ToolTipRole)
    return tr("Error after recovery (before: the Error column)\n%1").arg(hows.join("\n"));
  return {};
}

TrialFilterProxy::TrialFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(TrialTableModel::SortRole);
}

void TrialFilterProxy::setParetoOnly(bool on) {
  paretoOnly_ = on;
  invalidateFilter();
}

void TrialFilterProxy::setRunFilter(int run) {
  run_ = run;
  invalidateFilter();
}

void TrialFilterProxy::setConstraints(const std::vector<pp::Constraint>& cs,
                                      const std::optional<pp::Trial>& full) {
  constraints_ = cs;
  full_ = full;
  invalidateFilter();
}

void TrialFilterProxy::setFeasibleOnly(bool on) {
  feasibleOnly_ = on;
  invalidateFilter();
}

// A row meets the constraints (the full model always does; a share or drop
// not yet computable, before the full model is known, counts as met).
bool TrialFilterProxy::isFeasible(const pp::Trial& t) const {
  if (constraints_.empty() || t.id < 0) return true;
  try {
    return t.ok() && pp::feasible(constraints_, t, full_ ? &*full_ : nullptr);
  } catch (const std::exception&) {
    return true;
  }
}

void TrialFilterProxy::setKeyFilter(std::optional<std::vector<int64_t>> keys) {
  if (keys)
    keys_.emplace(keys->begin(), keys->end());
  else
    keys_.reset();
  invalidateFilter();
}

bool TrialFilterProxy::filterAcceptsRow(int row, const QModelIndex& parent) const {
  auto* m = qobject_cast<TrialTableModel*>(sourceModel());
  if (!m || parent.isValid()) return true;
  if (run_ >= 0 && m->runOfRow(row) != run_) return false;
  const auto key = m->index(row, 0, parent).data(TrialTableModel::TrialIdRole).toLongLong();
  if (keys_ && keys_->count(key) == 0) return false;
  if (feasibleOnly_ && !isFeasible(m->trials()[static_cast<size_t>(row)])) return false;
  return !paretoOnly_ || m->isOnFront(key);
}

}  // namespace ppui
