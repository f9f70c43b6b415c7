// PrepareDialog: the "Prepare model" step. Importance ordering and
// super-network (sandwich) fine-tuning of the chosen model on the chosen
// data, as a BackgroundTask on the chosen device, with progress, a live
// loss curve and cancel. Its output directory becomes the model of the next
// search.
#pragma once
#include <QDialog>
#include <QStringList>

#include <utility>

#include "paretoprune/search/run_header.h"
#include "ui/background_task.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QChartView;

namespace pp {
struct TrainProgress;
}

namespace ppui {

struct PrepareSetup {
  QString modelDir, outDir;
  // The search's split (SearchSetup::dataSplit): training uses the examples
  // the search does not evaluate on.
  pp::DataSplit data;
  QString strategy = "sandwich";
  int epochs = 3;
  double learningRate = 2e-4;
  bool reorder = true;
  int randomSubnets = 2;
  int maxLength = 64;
  int batchSize = 32;
  QString device = "auto";  // auto, cpu, cuda or cuda:N (pp::TrainOptions::device)
  QStringList devices;      // what the window found (pp::availableDevices); empty: the CPU only
};

class PrepareDialog : public QDialog {
  Q_OBJECT
 public:
  PrepareDialog(const PrepareSetup& initial, QWidget* parent = nullptr);
  ~PrepareDialog() override;

  PrepareSetup setup() const;
  void setSetup(const PrepareSetup& s);
  void start();
  void cancel();
  bool busy() const { return busy_; }
  QString resultDir() const { return result_; }
  int lossPoints() const;
  QString message() const;

 Q_SIGNALS:
  // ok: OUT holds the trained model; otherwise the reason (a cancelled run
  // keeps the last finished epoch in OUT, if any).
  void finished(bool ok, const QString& message);

 private:
  std::pair<bool, QString> train(const PrepareSetup& s);  // on the task: ok and what happened
  void showProgress(const pp::TrainProgress& p);

  QLineEdit* outEdit_;
  QComboBox* strategyBox_;
  QSpinBox* epochsSpin_;
  QDoubleSpinBox* lrSpin_;
  QCheckBox* reorderBox_;
  QSpinBox* subnetsSpin_;
  QSpinBox* maxLenSpin_;
  QSpinBox* batchSpin_;
  QComboBox* deviceBox_;
  QLabel* status_;
  QProgressBar* progress_;
  QLineSeries* loss_;
  QChartView* chart_;
  QPushButton* startBtn_;
  QPushButton* cancelBtn_;
  PrepareSetup base_;
  QString result_;
  bool busy_ = false;
  double maxLoss_ = 0.1;
  BackgroundTask task_{this};  // last: stops and joins first
};

}  // namespace ppui
