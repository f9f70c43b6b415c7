// The recommended picks of the run shown (pp::recommendPicks: the knee of
// the feasible front, the smallest and the fastest feasible trial within one
// point of accuracy, or of a tagger's entity F1), as a row of buttons: one click selects the trial.
#pragma once
#include <QWidget>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "paretoprune/search/trial.h"

class QLabel;
class QPushButton;

namespace ppui {

class PicksBar : public QWidget {
  Q_OBJECT
 public:
  explicit PicksBar(QWidget* parent = nullptr);
  // Recomputes the picks; `constraints` as the run header keeps them.
  // `metric` the header's ("accuracy", a tagger's "entity_f1"): what the budget's points are.
  // `firstRecovered`: trials from that index on are recovered versions of
  // the trials of the same id (View > Pick again); their picks say so.
  void refresh(const std::vector<pp::Trial>& trials, const std::vector<std::string>& objectives,
               const std::vector<std::string>& constraints, const std::optional<pp::Trial>& ref,
               const std::string& metric = "accuracy", size_t firstRecovered = SIZE_MAX,
               double chanceError = -1);
  QString text() const;  // what the bar says, for tests and screenshots
  // The picks shown: kind name ("knee", "smallest", "fastest") and trial id.
  const std::vector<std::pair<QString, int64_t>>& picks() const { return picks_; }
  // The ids of those picks that are recovered versions (picked again).
  const std::set<int64_t>& recoveredPicks() const { return recovered_; }

 Q_SIGNALS:
  void pickClicked(int64_t trialId);

 private:
  QLabel* label_;
  std::vector<QPushButton*> buttons_;  // knee, smallest, fastest
  std::vector<std::pair<QString, int64_t>> picks_;
  std::set<int64_t> recovered_;
};

}  // namespace ppui
