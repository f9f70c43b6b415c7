// LatencyView: latency of the full model and the selected sub-networks by
// batch size (median bars, 95th percentile in the table), measured on a
// background thread on request, like the load test the recipe ran after
// deploying its pick.
#pragma once
#include <QWidget>

#include <memory>
#include <vector>

#include "paretoprune/search/trial.h"
#include "ui/background_task.h"
#include "ui/run_session.h"

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
  // `models`: the window's shared weights, loaded once.
  void setCandidates(const QString& modelDir, const std::vector<pp::Trial>& selected,
                     std::shared_ptr<ModelCache> models = nullptr);
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
  std::shared_ptr<ModelCache> models_ = std::make_shared<ModelCache>();
  bool busy_ = false;
  BackgroundTask task_{this};
};

}  // namespace ppui
