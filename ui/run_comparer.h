// RunComparer: the window's comparison of several runs (run logs of one
// model). It reads them through core's compareRuns (one shared scale for
// the hypervolumes), overlays their fronts on the chart (each run its own
// colour, marker and legend entry that hides it), draws one hypervolume
// curve per run, fills the table with a Run column and a run filter, and
// knows which run a trial key belongs to, so that export uses that run's
// own model and header.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

#include "paretoprune/runs/run_compare.h"

class QComboBox;

namespace ppui {

class ParetoChart;
class HypervolumeChart;
class TrialTableModel;
class TrialFilterProxy;
class TrialTableView;

class RunComparer : public QObject {
  Q_OBJECT
 public:
  struct Views {
    ParetoChart* chart = nullptr;
    HypervolumeChart* hypervolume = nullptr;
    TrialTableModel* table = nullptr;
    TrialFilterProxy* proxy = nullptr;
    TrialTableView* view = nullptr;
    QComboBox* runFilter = nullptr;  // "All runs", then one entry per run
  };
  RunComparer(const Views& views, QObject* parent = nullptr);

  // Reads the logs and shows them; false with the reason in `error` (and
  // what was shown stays) when one cannot be read or is of another model.
  bool load(const QStringList& logs, QString* error = nullptr);
  // The window shows one run again: filter and Run column away.
  void clear();
  bool active() const { return cmp_.has_value(); }
  const pp::RunComparison* comparison() const { return cmp_ ? &*cmp_ : nullptr; }
  // The run a trial key belongs to (null when not comparing).
  const pp::ComparedRun* runOf(int64_t key) const;
  // "trial 12 of run nsga2 (runs/nsga2.jsonl)"
  QString describe(int64_t key) const;
  // "3 runs compared: random 0.8123, local 0.8345, ..."
  QString summary() const;

 private:
  Views v_;
  std::optional<pp::RunComparison> cmp_;
};

}  // namespace ppui
