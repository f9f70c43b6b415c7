// ExportDialog: exports one trial's sub-network (output directory, format,
// padding choice for per-layer unit counts), on a background thread with a
// busy indicator, and says where the result is.
#pragma once
#include <QDialog>

#include <thread>

#include "paretoprune/export/export.h"
#include "paretoprune/export/export_request.h"
#include "paretoprune/search/trial.h"
#include "ui/background_task.h"
#include "ui/run_session.h"
#include "ui/search_controller.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace ppui {

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  // Exports `trial` of the run `run` (its model, checked against the run's
  // model checksum before anything is written); `logPath` for provenance.
  // `models`: the window's shared weights (loaded once); null: loaded here.
  ExportDialog(const pp::RunHeader& run, const QString& logPath, const pp::Trial& trial,
               std::shared_ptr<ModelCache> models = nullptr, QWidget* parent = nullptr);
  ~ExportDialog() override;

  void setOutput(const QString& dir);
  void setFormat(const QString& fmt);  // hf, torchscript, int8
  // Starts the export; `overwrite` answers the "replace?" question in tests.
  void startExport(bool overwrite = false);
  bool busy() const { return busy_; }
  QString modelDir() const { return QString::fromStdString(run_.model); }
  QString message() const;

 Q_SIGNALS:
  void exportFinished(bool ok, const QString& message);

 private:
  void updateFormatNote();
  static QString formatNote(pp::ExportFormat f);  // what loads it, for the note under the box
  static QString summaryText(const pp::ExportSummary& s);  // the message once exported

  pp::RunHeader run_;
  QString logPath_;
  pp::Trial trial_;
  std::shared_ptr<ModelCache> models_;
  QLineEdit* outEdit_;
  QComboBox* formatBox_;
  QCheckBox* padBox_;
  QLabel* note_;
  QLabel* result_;
  QProgressBar* busyBar_;
  QPushButton* exportBtn_;
  bool busy_ = false;
  BackgroundTask task_{this};
};

}  // namespace ppui
