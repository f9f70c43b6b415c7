// TrialTableModel: every trial of a search as a table row (sortable through
// TrialFilterProxy, which can also show the Pareto set only). Failed trials
// keep their reason in the status column.
#pragma once
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "paretoprune/trial.h"

namespace ppui {

class TrialTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, SubNet, Accuracy, Error, Params, Share, Flops, Latency, EvalTime, Status, ColumnCount };
  static constexpr int TrialIdRole = Qt::UserRole + 1;
  static constexpr int SortRole = Qt::UserRole + 2;

  explicit TrialTableModel(QObject* parent = nullptr);

  void clear();
  void addTrials(const std::vector<pp::Trial>& ts);
  void setFront(const std::vector<int64_t>& ids);
  void setReferenceParams(int64_t fullParams) { fullParams_ = fullParams; }

  bool isOnFront(int64_t id) const { return front_.count(id) > 0; }
  size_t frontSize() const { return front_.size(); }
  const pp::Trial* trial(int64_t id) const;
  int rowOf(int64_t id) const;  // -1 if absent
  const std::vector<pp::Trial>& trials() const { return trials_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::vector<pp::Trial> trials_;
  std::unordered_map<int64_t, int> rowById_;
  std::set<int64_t> front_;
  int64_t fullParams_ = 0;
};

class TrialFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit TrialFilterProxy(QObject* parent = nullptr);
  void setParetoOnly(bool on);
  bool paretoOnly() const { return paretoOnly_; }

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

 private:
  bool paretoOnly_ = false;
};

}  // namespace ppui
