#include "ui/trial_table_view.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>

#include "ui/trial_table_model.h"

namespace ppui {

namespace {
constexpr int kMaxColumnWidth = 260;  // longer texts are elided (full text in the tooltip)
const char* kSettingsKey = "trialsTable/hiddenColumns";
}  // namespace

TrialTableView::TrialTableView(QWidget* parent) : QTableView(parent) {
  setWordWrap(false);
  setTextElideMode(Qt::ElideRight);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::ExtendedSelection);
  setAlternatingRowColors(true);
  verticalHeader()->hide();
  // One text line per row, the same for every row.
  verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  verticalHeader()->setMinimumSectionSize(1);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  horizontalHeader()->setStretchLastSection(true);
  horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  horizontalHeader()->setResizeContentsPrecision(200);  // rows looked at when sizing
  horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
          [this](const QPoint& p) { columnMenu()->popup(horizontalHeader()->mapToGlobal(p)); });
  fitTimer_.setSingleShot(true);
  fitTimer_.setInterval(200);
  connect(&fitTimer_, &QTimer::timeout, this, &TrialTableView::fitColumns);
  loadHiddenColumns();
}

void TrialTableView::setModel(QAbstractItemModel* m) {
  QTableView::setModel(m);
  if (!m) return;
  auto later = [this] {
    if (!fitTimer_.isActive()) fitTimer_.start();
  };
  connect(m, &QAbstractItemModel::rowsInserted, this, later);
  connect(m, &QAbstractItemModel::modelReset, this, later);
  connect(m, &QAbstractItemModel::layoutChanged, this, later);
  applyVisibility();
  fitColumns();
}

void TrialTableView::fitColumns() {
  fitTimer_.stop();
  if (!model()) return;
  resizeColumnsToContents();
  for (int c = 0; c < model()->columnCount(); ++c)
    if (columnWidth(c) > kMaxColumnWidth) setColumnWidth(c, kMaxColumnWidth);
  // Sizing every column undid the last one's stretch: fill the view again.
  horizontalHeader()->setStretchLastSection(false);
  horizontalHeader()->setStretchLastSection(true);
}

bool TrialTableView::columnWanted(int column) const {
  return !hidden_.contains(TrialTableModel::columnKey(column));
}

void TrialTableView::setColumnWanted(int column, bool on) {
  const QString key = TrialTableModel::columnKey(column);
  if (key.isEmpty()) return;
  if (on)
    hidden_.remove(key);
  else
    hidden_.insert(key);
  saveHiddenColumns();
  applyVisibility();
}

void TrialTableView::setRunsCompared(bool on) {
  runsCompared_ = on;
  applyVisibility();
  fitColumns();
}

void TrialTableView::setRecoveredShown(bool on) {
  recoveredShown_ = on;
  applyVisibility();
  fitColumns();
}

void TrialTableView::applyVisibility() {
  if (!model()) return;
  for (int c = 0; c < model()->columnCount(); ++c) {
    const bool show = columnWanted(c) && (c != TrialTableModel::Run || runsCompared_) &&
                      (c != TrialTableModel::Recovered || recoveredShown_);
    setColumnHidden(c, !show);
  }
}

QMenu* TrialTableView::columnMenu() {
  if (!menu_) menu_ = new QMenu(this);
  menu_->clear();
  if (!model()) return menu_;
  for (int c = 0; c < model()->columnCount(); ++c) {
    if (c == TrialTableModel::Run && !runsCompared_) continue;
    if (c == TrialTableModel::Recovered && !recoveredShown_) continue;
    QAction* a =
        menu_->addAction(model()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    a->setCheckable(true);
    a->setChecked(columnWanted(c));
    a->setData(c);
    connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnWanted(c, on); });
  }
  return menu_;
}

void TrialTableView::loadHiddenColumns() {
  // By default the evaluation time is hidden, so that every other column
  // fits the window's default size, the Run column of compared runs included.
  const QStringList keys = QSettings().value(kSettingsKey, QStringList{"eval_time"}).toStringList();
  hidden_ = QSet<QString>(keys.begin(), keys.end());
}

void TrialTableView::saveHiddenColumns() const {
  QStringList keys(hidden_.begin(), hidden_.end());
  keys.sort();
  QSettings().setValue(kSettingsKey, keys);
}

}  // namespace ppui
