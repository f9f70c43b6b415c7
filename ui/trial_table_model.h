// TrialTableModel: every trial of a search as a table row (sortable through
// TrialFilterProxy, which can also show the Pareto set only, or one run's
// trials when several runs are compared). Failed trials keep their reason in
// the status column. Rows are named by trial keys (trial_key.h).
#pragma once
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStringList>

#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "paretoprune/search/constraint.h"
#include "paretoprune/search/trial.h"

namespace ppui {

class TrialTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Run,
    Id,
    SubNet,
    Accuracy,
    Error,
    Recovered,  // the error after recovery (shown once a trial was recovered)
    Params,
    Share,
    Flops,
    Latency,
    EvalTime,
    Status,
    ColumnCount
  };
  static constexpr int TrialIdRole = Qt::UserRole + 1;  // the row's trial key
  static constexpr int SortRole = Qt::UserRole + 2;
  static constexpr int RunRole = Qt::UserRole + 3;  // the row's run index
  // A column's stable name (settings keys), e.g. "subnet".
  static QString columnKey(int column);

  explicit TrialTableModel(QObject* parent = nullptr);

  void clear();
  // Several runs compared: their names (the Run column). Empty: one run.
  void setRunNames(const QStringList& names);
  const QStringList& runNames() const { return runNames_; }
  void addTrials(const std::vector<pp::Trial>& ts, int run = 0);
  void setFront(const std::vector<int64_t>& ids, int run = 0);  // trial ids of that run
  void setReferenceParams(int64_t fullParams) { fullParams_ = fullParams; }
  // A tagger's run: the Accuracy column is token accuracy and the Error
  // column 1 - entity F1; the headers and their tooltips say so.
  void setTagger(bool on);
  bool tagger() const { return tagger_; }
  // Run 0's trials' recovered versions (error after; method; how, for the
  // tooltip), keyed by source trial id; replaces the earlier ones.
  struct RecoveredCell {
    double errorRate = 0;
    QString method, how;
  };
  void setRecovered(const std::unordered_map<int64_t, std::vector<RecoveredCell>>& byId);
  bool hasRecovered() const { return !recovered_.empty(); }

  bool isOnFront(int64_t key) const { return front_.count(key) > 0; }
  size_t frontSize() const { return front_.size(); }  // of every run shown
  const std::set<int64_t>& frontKeys() const { return front_; }
  const pp::Trial* trial(int64_t key) const;
  int rowOf(int64_t key) const;  // -1 if absent
  int runOfRow(int row) const { return runs_[static_cast<size_t>(row)]; }
  const std::vector<pp::Trial>& trials() const { return trials_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  QVariant sortValue(const pp::Trial& t, int column, int64_t key) const;  // SortRole
  QVariant displayValue(const pp::Trial& t, int column, int run, int64_t key) const;

  std::vector<pp::Trial> trials_;
  std::vector<int> runs_;  // per row
  std::unordered_map<int64_t, int> rowByKey_;
  std::set<int64_t> front_;  // keys
  QStringList runNames_;
  int64_t fullParams_ = 0;
  bool tagger_ = false;
  std::unordered_map<int64_t, std::vector<RecoveredCell>> recovered_;  // by trial key
  QVariant recoveredValue(int64_t key, int role) const;
};

class TrialFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit TrialFilterProxy(QObject* parent = nullptr);
  void setParetoOnly(bool on);
  bool paretoOnly() const { return paretoOnly_; }
  void setRunFilter(int run);  // -1: every run
  int runFilter() const { return run_; }
  // The run's constraints (and its full model, for shares and drops): with
  // feasibleOnly, the rows that meet them all.
  void setConstraints(const std::vector<pp::Constraint>& cs, const std::optional<pp::Trial>& full);
  void setFeasibleOnly(bool on);
  bool feasibleOnly() const { return feasibleOnly_; }
  bool isFeasible(const pp::Trial& t) const;
  // Only these trial keys (the brushed ones); nullopt: no such filter.
  void setKeyFilter(std::optional<std::vector<int64_t>> keys);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

 private:
  bool paretoOnly_ = false;
  int run_ = -1;
  std::vector<pp::Constraint> constraints_;
  std::optional<pp::Trial> full_;
  bool feasibleOnly_ = false;
  std::optional<std::unordered_set<int64_t>> keys_;
};

}  // namespace ppui
