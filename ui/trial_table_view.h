// TrialTableView: the trials table as it reads best: one line per row (no
// wrapping), columns sized to their content (and capped, the full text in
// the tooltip), and the visible columns chosen from the header's context
// menu and remembered in the settings. The Run column shows only while
// several runs are compared.
#pragma once
#include <QSet>
#include <QTableView>
#include <QTimer>

class QMenu;

namespace ppui {

class TrialTableView : public QTableView {
  Q_OBJECT
 public:
  explicit TrialTableView(QWidget* parent = nullptr);
  void setModel(QAbstractItemModel* model) override;

  // The user's choice (remembered); the Run column also needs several runs.
  void setColumnWanted(int column, bool on);
  bool columnWanted(int column) const;
  void setRunsCompared(bool on);
  void setRecoveredShown(bool on);  // the Recovered column, once a trial was recovered
  // The header's context menu, as it would pop up (tests).
  QMenu* columnMenu();
  // Sizes the columns to their content now (otherwise shortly after rows arrive).
  void fitColumns();
  // The width a column's content asks for (rows sampled as when fitting).
  int contentWidth(int column) const { return sizeHintForColumn(column); }

 private:
  void applyVisibility();
  void loadHiddenColumns();
  void saveHiddenColumns() const;

  QTimer fitTimer_;
  QSet<QString> hidden_;  // column keys the user hid
  bool runsCompared_ = false;
  bool recoveredShown_ = false;
  QMenu* menu_ = nullptr;
};

}  // namespace ppui
