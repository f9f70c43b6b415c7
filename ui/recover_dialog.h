// RecoverDialog: how to recover the selected trials (train/recover.h): the
// step and time budget per pick, distillation from the full model or plain
// fine-tuning, an optional test file, and the output folder (beside the
// run log by default). The settings are remembered.
#pragma once
#include <QDialog>
#include <QString>

#include <cstdint>
#include <vector>

class QCheckBox;
class QLineEdit;
class QSpinBox;

namespace ppui {

struct RecoverSettings {
  int64_t budgetSteps = 300;  // per pick
  int budgetSeconds = 0;      // per pick; 0: no limit
  bool distill = true;
  QString testFile;  // empty: none
  QString outDir;
};

class RecoverDialog : public QDialog {
  Q_OBJECT
 public:
  // Recovering `trials` of the run in `logPath`.
  RecoverDialog(const QString& logPath, const std::vector<int64_t>& trials,
                QWidget* parent = nullptr);
  RecoverSettings settings() const;
  void setSettings(const RecoverSettings& s);
  // Where recoveries of `logPath` go unless told: LOGDIR/LOGNAME-recovered.
  static QString defaultOutDir(const QString& logPath);

  void accept() override;  // remembers the settings

 private:
  void browseTest();
  void browseOut();

  QSpinBox* steps_;
  QSpinBox* seconds_;
  QCheckBox* distill_;
  QLineEdit* test_;
  QLineEdit* out_;
};

}  // namespace ppui
