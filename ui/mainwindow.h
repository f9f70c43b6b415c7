// MainWindow: the ParetoPrune desktop window (model summary for now; the
// search set-up, live Pareto chart and trials table build on it).
#pragma once
#include <QMainWindow>

class QLabel;

namespace ppui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  // Loads a model directory and shows its summary or the loader's error.
  bool openModel(const QString& dir);

 private:
  QLabel* summary_ = nullptr;
};

}  // namespace ppui
