// LatencyView: latency of the full model and the selected sub-networks by
// batch size (median bars, 95th percentile in the table), measured on a
// background thread on request, like the load test the recipe ran after
// deploying its pick.
#pragma once
#include <QWidget>

#include <thread>
#include <vector>

#include "paretoprune/trial.h"

class QChartView;
class QLabel;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace ppui {

class LatencyView : public QWidget {
  Q_OBJECT
 public:
  explicit LatencyView(QWidget* parent = nullptr);
  ~LatencyView() override;
  // What to measure: the model and up to three sub-networks besides the full model.
  void setCandidates(const QString& modelDir, const std::vector<pp::Trial>& selected);
  void measure();
  bool busy() const { return busy_; }
  int barSets() const;

 Q_SIGNALS:
  void measured();

 private:
  struct Row {
    QString name;
    std::vector<double> median, p95;  // per batch size
  };
  void show(const std::vector<Row>& rows);

  QString modelDir_;
  std::vector<pp::Trial> selected_;
  QChartView* chart_;
  QTextBrowser* table_;
  QPushButton* measureBtn_;
  QSpinBox* seqSpin_;
  QLabel* status_;
  std::thread worker_;
  bool busy_ = false;
};

}  // namespace ppui
