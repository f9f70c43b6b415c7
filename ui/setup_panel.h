// SetupPanel: the set-up on the window's left: model, data (preview, columns, label check),
// search settings and Start / Pause / Stop; it remembers the form between starts.
#pragma once
#include <QWidget>

#include <memory>

#include "paretoprune/formats/config.h"
#include "paretoprune/search/run_header.h"
#include "ui/background_task.h"
#include "ui/prepare_dialog.h"
#include "ui/search_controller.h"
#include "ui/setup_check.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLayout;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QVBoxLayout;

namespace ppui {

class SetupPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SetupPanel(QWidget* parent = nullptr);
  ~SetupPanel() override;

  // Adds a section below the buttons (the chart's axes, Export).
  void addSection(QWidget* w);

  // The model in the form: its summary, and the space's ranges reset to it.
  void showModel(const QString& dir, const pp::ModelConfig& c);
  void showModelError(const QString& dir, const QString& error);
  void setDataFiles(const QString& data, const QString& validation);
  // An opened run: Start continues its log (with at least its trials).
  void showRunLog(const QString& logPath, int trials);
  // A count given for this session only (the command line's --trials): shown
  // and used, never remembered as the model's setting unless changed here.
  void setTrials(int n);
  // What auto chose for the run and why.
  void showAutoChoices(const pp::RunHeader& h);
  // A run's constraints in the Constraints field (Start continues the run under them).
  void showConstraints(const pp::RunHeader& h);

  SearchSetup currentSetup() const;
  // What Prepare model trains on: the form's model and the search's split.
  PrepareSetup prepareSetup() const;
  // The form's check (reads a data file only when it changed since its last check).
  SetupCheck setupCheck() const;
  // The same check shown under the data files, run as a background task
  // when a file has to be read.
  void refreshDataInfo();
  void showDataProblem(const QString& message);
  void showDataInfo(const QString& text, bool problem);
  void saveSettings() const;
  // The form as last saved (once the panel is placed: the fields filled
  // then do not widen the scroll area's first size).
  void loadSettings();
  // The search settings last used with the model in `dir`, or the defaults.
  void loadModelSettings(const QString& dir);

 Q_SIGNALS:
  void modelChosen(const QString& dir);  // browsed or typed
  void prepareClicked();

 private:
  QWidget* buildModelBox(QWidget* panel);
  QWidget* buildDataBox(QWidget* panel);
  QWidget* buildSearchBox(QWidget* panel);
  void addSearchOptions(QWidget* box, QFormLayout* form);
  void addSpaceRanges(QWidget* box, QFormLayout* form);
  void addHelp();  // every field's tooltip (setup_panel_help.cpp)
  void browseData(QLineEdit* edit);
  void refreshPreview();  // first rows and column pickers of the data file
  void fillPreview(const QString& file);
  void resetSpaceRanges(const pp::ModelConfig& c);  // the model's full ranges

  QVBoxLayout* sections_ = nullptr;
  QString settingsModel_;  // the model whose settings the form holds
  QLineEdit* modelEdit_ = nullptr;
  QLabel* modelInfo_ = nullptr;
  QLineEdit* dataEdit_ = nullptr;
  QLineEdit* valEdit_ = nullptr;
  QLabel* dataInfo_ = nullptr;
  QComboBox* textCol_ = nullptr;
  QComboBox* pairCol_ = nullptr;
  QComboBox* labelCol_ = nullptr;
  QTableWidget* preview_ = nullptr;
  QComboBox* spaceBox_ = nullptr;
  QComboBox* strategyBox_ = nullptr;
  QComboBox* objectivesBox_ = nullptr;
  QLineEdit* constraintsEdit_ = nullptr;  // "latency_ms<=5, accuracy_drop<=1"
  QSpinBox* trialsSpin_ = nullptr;
  QLabel* autoInfo_ = nullptr;
  QSpinBox* workersSpin_ = nullptr;
  QComboBox* deviceBox_ = nullptr;
  QComboBox* precisionBox_ = nullptr;
  QSpinBox* seedSpin_ = nullptr;
  QSpinBox* subsetSpin_ = nullptr;
  QSpinBox* maxLenSpin_ = nullptr;
  QLineEdit* logEdit_ = nullptr;
  QLineEdit* storageEdit_ = nullptr;
  QLineEdit* studyEdit_ = nullptr;
  QSpinBox* minLayers_ = nullptr;
  QSpinBox* maxLayers_ = nullptr;
  QLineEdit* headsEdit_ = nullptr;
  QSpinBox* minUnits_ = nullptr;
  QSpinBox* maxUnits_ = nullptr;
  std::shared_ptr<DataChecks> dataChecks_ = std::make_shared<DataChecks>();  // shared with checks
  bool dataCheckPending_ = false;  // the form changed while a check ran
  int trialsOverride_ = -1;        // setTrials' count while the field still shows it
  BackgroundTask dataCheckTask_{this};
};

}  // namespace ppui
