// MainWindow's set-up panel: model, data (preview, column pickers, label
// check), search settings, the buttons; and the settings remembered between
// starts.
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMutex>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "paretoprune/base/error.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/search_space.h"

#include <nlohmann/json.hpp>
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model_config.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/search_controller.h"

namespace ppui {

namespace {
QHBoxLayout* pathRow(QLineEdit* edit, QPushButton* browse) {
  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(edit, 1);
  row->addWidget(browse);
  return row;
}
}  // namespace

// One data file's check against the model's labels, kept per version of
// the file (path, size, modification time, columns, labels), so edits
// elsewhere in the form do not read it again. Shared with the background
// checks, hence the lock.
class DataChecks {
 public:
  struct Result {
    bool ok = false;
    QString text;  // "name: N examples (label n, ...)" or the loader's error
  };
  // nullopt when `cachedOnly` and the file would have to be read.
  std::optional<Result> check(const QString& file, const pp::ModelConfig& c,
                              const pp::DataColumns& cols, bool cachedOnly) {
    const QFileInfo fi(file);
    QString key = file + '\n' + QString::number(fi.size()) + '\n' +
                  QString::number(fi.lastModified().toMSecsSinceEpoch()) + '\n' +
                  QString::fromStdString(cols.text + '\t' + cols.pair + '\t' + cols.label);
    for (const auto& l : c.id2label) key += '\t' + QString::fromStdString(l);
    {
      QMutexLocker lock(&mu_);
      if (auto it = done_.find(key); it != done_.end()) return *it;
    }
    if (cachedOnly) return std::nullopt;
    Result r;
    try {
      const pp::Dataset d = pp::loadDataset(file.toStdString(), c, cols);
      const auto counts = d.labelCounts(c.numLabels());
      QStringList byLabel;
      for (size_t i = 0; i < counts.size(); ++i)
        byLabel << QString("%1 %2").arg(QString::fromStdString(c.id2label[i])).arg(counts[i]);
      r = {true, QObject::tr("%1: %2 examples (%3)")
                     .arg(fi.fileName())
                     .arg(d.examples.size())
                     .arg(byLabel.join(", "))};
    } catch (const pp::Error& e) {
      r = {false, QString::fromStdString(e.what())};
    }
    QMutexLocker lock(&mu_);
    done_.insert(key, r);
    return r;
  }

 private:
  QMutex mu_;
  QHash<QString, Result> done_;
};

QWidget* MainWindow::buildSetupPanel() {
  dataChecks_ = std::make_shared<DataChecks>();
  auto* panel = new QWidget(this);
  auto* v = new QVBoxLayout(panel);
  v->addWidget(buildModelBox(panel));
  v->addWidget(buildDataBox(panel));
  v->addWidget(buildSearchBox(panel));
  v->addLayout(buildRunButtons(panel));
  v->addWidget(buildChartBox(panel));
  exportBtn_ = new QPushButton(tr("Export selection..."), panel);
  connect(exportBtn_, &QPushButton::clicked, this, &MainWindow::exportSelection);
  v->addWidget(exportBtn_);
  v->addStretch(1);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(panel);
  scroll->setWidgetResizable(true);
  scroll->setMinimumWidth(340);
  scroll->setMaximumWidth(420);
  return scroll;
}

// The model: directory, summary, Prepare model.
QWidget* MainWindow::buildModelBox(QWidget* panel) {
  auto* modelBox = new QGroupBox(tr("Model"), panel);
  auto* mf = new QFormLayout(modelBox);
  modelEdit_ = new QLineEdit(modelBox);
  modelEdit_->setPlaceholderText(tr("Hugging Face BERT classifier directory"));
  auto* mb = new QPushButton(tr("Browse..."), modelBox);
  mf->addRow(tr("Directory"), pathRow(modelEdit_, mb));
  modelInfo_ = new QLabel(tr("No model yet."), modelBox);
  modelInfo_->setWordWrap(true);
  modelInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  mf->addRow(modelInfo_);
  auto* prepare =
      new QPushButton(tr("Prepare model (ordering, super-network training)..."), modelBox);
  mf->addRow(prepare);
  connect(prepare, &QPushButton::clicked, this, &MainWindow::prepareModel);
  connect(mb, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Model directory"), modelEdit_->text());
    if (!dir.isEmpty()) openModel(dir);
  });
  connect(modelEdit_, &QLineEdit::editingFinished, this, [this] { openModel(modelEdit_->text()); });

  return modelBox;
}

// The data: files, columns, preview, the check's answer.
QWidget* MainWindow::buildDataBox(QWidget* panel) {
  auto* dataBox = new QGroupBox(tr("Data"), panel);
  auto* df = new QFormLayout(dataBox);
  dataEdit_ = new QLineEdit(dataBox);
  dataEdit_->setPlaceholderText(tr(".tsv, .csv or .jsonl with a label column"));
  valEdit_ = new QLineEdit(dataBox);
  valEdit_->setPlaceholderText(tr("optional: else 30% of the data is held out"));
  auto* db = new QPushButton(tr("Browse..."), dataBox);
  auto* vb = new QPushButton(tr("Browse..."), dataBox);
  df->addRow(tr("Data"), pathRow(dataEdit_, db));
  df->addRow(tr("Validation"), pathRow(valEdit_, vb));
  textCol_ = new QComboBox(dataBox);
  textCol_->setObjectName("textColumn");
  pairCol_ = new QComboBox(dataBox);
  pairCol_->setObjectName("pairColumn");
  labelCol_ = new QComboBox(dataBox);
  labelCol_->setObjectName("labelColumn");
  df->addRow(tr("Text column"), textCol_);
  df->addRow(tr("Second text"), pairCol_);
  df->addRow(tr("Label column"), labelCol_);
  preview_ = new QTableWidget(dataBox);
  preview_->setMaximumHeight(120);
  preview_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  preview_->verticalHeader()->hide();
  df->addRow(preview_);
  dataInfo_ = new QLabel(dataBox);
  dataInfo_->setObjectName("dataInfo");
  dataInfo_->setWordWrap(true);
  df->addRow(dataInfo_);
  for (auto* box : {textCol_, pairCol_, labelCol_})
    connect(box, &QComboBox::activated, this, [this] { refreshDataInfo(); });
  auto browseData = [this](QLineEdit* e) {
    const QString f =
        QFileDialog::getOpenFileName(this, tr("Labelled data"), e->text(),
                                     tr("Data (*.tsv *.csv *.jsonl *.json);;All files (*)"));
    if (!f.isEmpty()) {
      e->setText(f);
      refreshPreview();
      refreshDataInfo();
    }
  };
  connect(db, &QPushButton::clicked, this, [=] { browseData(dataEdit_); });
  connect(vb, &QPushButton::clicked, this, [=] { browseData(valEdit_); });
  connect(dataEdit_, &QLineEdit::editingFinished, this, [this] {
    refreshPreview();
    refreshDataInfo();
  });
  connect(valEdit_, &QLineEdit::editingFinished, this, [this] { refreshDataInfo(); });

  return dataBox;
}

// The search: space, strategy, objectives, trials, device, ranges, auto's choices.
QWidget* MainWindow::buildSearchBox(QWidget* panel) {
  auto* searchBox = new QGroupBox(tr("Search"), panel);
  auto* sf = new QFormLayout(searchBox);
  spaceBox_ = new QComboBox(searchBox);
  spaceBox_->addItem(tr("seed (layers, heads, units for all)"), "seed");
  spaceBox_->addItem(tr("per-layer"), "per-layer");
  spaceBox_->addItem(tr("layers only"), "layers");
  strategyBox_ = new QComboBox(searchBox);
  strategyBox_->setObjectName("strategy");
  strategyBox_->addItem(tr("auto (chosen for the run)"), "auto");
  strategyBox_->addItem(tr("NSGA-II"), "nsga2");
  strategyBox_->addItem(tr("local search"), "local");
  strategyBox_->addItem(tr("MO-REA"), "morea");
  strategyBox_->addItem(tr("random (the recipe)"), "random");
  objectivesBox_ = new QComboBox(searchBox);
  objectivesBox_->addItem(tr("error vs parameters"), "error,params");
  objectivesBox_->addItem(tr("error vs FLOPs"), "error,flops");
  objectivesBox_->addItem(tr("error vs latency"), "error,latency");
  objectivesBox_->addItem(tr("error, parameters, latency"), "error,params,latency");
  trialsSpin_ = new QSpinBox(searchBox);
  trialsSpin_->setObjectName("trials");
  trialsSpin_->setRange(0, 100000);
  trialsSpin_->setSpecialValueText(tr("auto"));
  trialsSpin_->setValue(0);
  workersSpin_ = new QSpinBox(searchBox);
  workersSpin_->setRange(0, 256);
  workersSpin_->setSpecialValueText(tr("auto"));
  seedSpin_ = new QSpinBox(searchBox);
  seedSpin_->setRange(0, 1 << 30);
  seedSpin_->setValue(1);
  subsetSpin_ = new QSpinBox(searchBox);
  subsetSpin_->setRange(0, 10000000);
  subsetSpin_->setSpecialValueText(tr("all"));
  maxLenSpin_ = new QSpinBox(searchBox);
  maxLenSpin_->setRange(8, 4096);
  maxLenSpin_->setValue(128);
  logEdit_ = new QLineEdit(searchBox);
  logEdit_->setPlaceholderText(tr("optional run log (.jsonl), resumable"));
  sf->addRow(tr("Space"), spaceBox_);
  sf->addRow(tr("Strategy"), strategyBox_);
  sf->addRow(tr("Objectives"), objectivesBox_);
  sf->addRow(tr("Trials"), trialsSpin_);
  sf->addRow(tr("Workers"), workersSpin_);
  deviceBox_ = new QComboBox(searchBox);
  deviceBox_->addItem(tr("auto (every GPU, else CPU)"), "auto");
  const auto devices = pp::availableDevices();
  for (const auto& d : devices)
    deviceBox_->addItem(
        d == "cpu" ? tr("CPU (%1 threads)").arg(pp::hardwareThreads()) : QString::fromStdString(d),
        QString::fromStdString(d));
  if (devices.size() > 2) deviceBox_->addItem(tr("every GPU"), "cuda");
  sf->addRow(tr("Device"), deviceBox_);
  sf->addRow(tr("Seed"), seedSpin_);
  sf->addRow(tr("Validation subset"), subsetSpin_);
  sf->addRow(tr("Max length"), maxLenSpin_);
  sf->addRow(tr("Run log"), logEdit_);
  storageEdit_ = new QLineEdit(searchBox);
  storageEdit_->setObjectName("storage");
  storageEdit_->setPlaceholderText(tr("optional: postgresql://user@host/db, to share the study"));
  studyEdit_ = new QLineEdit(searchBox);
  studyEdit_->setObjectName("study");
  studyEdit_->setPlaceholderText(tr("study name (with a database)"));
  sf->addRow(tr("Database"), storageEdit_);
  sf->addRow(tr("Study"), studyEdit_);
  addSpaceRanges(searchBox, sf);
  // What auto chose for this run, and why (filled in when a search starts).
  autoInfo_ = new QLabel(tr("Settings left on auto are chosen when the search starts."), searchBox);
  autoInfo_->setObjectName("autoInfo");
  autoInfo_->setWordWrap(true);
  autoInfo_->setStyleSheet("color: #505050;");
  sf->addRow(autoInfo_);

  return searchBox;
}

// The space's ranges, editable (reset to the model's when it opens).
void MainWindow::addSpaceRanges(QWidget* searchBox, QFormLayout* sf) {
  minLayers_ = new QSpinBox(searchBox);
  maxLayers_ = new QSpinBox(searchBox);
  minUnits_ = new QSpinBox(searchBox);
  maxUnits_ = new QSpinBox(searchBox);
  for (auto* sb : {minLayers_, maxLayers_}) sb->setRange(0, 1000);
  for (auto* sb : {minUnits_, maxUnits_}) sb->setRange(0, 1000000);
  headsEdit_ = new QLineEdit(searchBox);
  headsEdit_->setObjectName("spaceHeads");
  headsEdit_->setToolTip(tr("Head counts a layer may keep, e.g. 1, 3, 6, 12"));
  auto range = [](QSpinBox* a, QSpinBox* b) {
    auto* row = new QHBoxLayout;
    row->addWidget(a);
    row->addWidget(new QLabel(QObject::tr("to")));
    row->addWidget(b);
    return row;
  };
  sf->addRow(tr("Layers"), range(minLayers_, maxLayers_));
  sf->addRow(tr("Heads per layer"), headsEdit_);
  sf->addRow(tr("Units per layer"), range(minUnits_, maxUnits_));
}

// Start, pause, stop.
QLayout* MainWindow::buildRunButtons(QWidget* panel) {
  auto* buttons = new QHBoxLayout;
  startBtn_ = new QPushButton(tr("Start"), panel);
  startBtn_->setDefault(true);
  pauseBtn_ = new QPushButton(tr("Pause"), panel);
  stopBtn_ = new QPushButton(tr("Stop"), panel);
  buttons->addWidget(startBtn_);
  buttons->addWidget(pauseBtn_);
  buttons->addWidget(stopBtn_);
  connect(startBtn_, &QPushButton::clicked, this, &MainWindow::startSearch);
  connect(pauseBtn_, &QPushButton::clicked, this, [this] {
    if (controller_.isPaused())
      controller_.resume();
    else
      controller_.pause();
    updateButtons();
  });
  connect(stopBtn_, &QPushButton::clicked, this, [this] {
    controller_.cancel();
    statusLine_->setText(tr("Stopping after the trials in flight..."));
  });

  return buttons;
}

// The chart's axes.
QWidget* MainWindow::buildChartBox(QWidget* panel) {
  auto* viewBox = new QGroupBox(tr("Chart"), panel);
  auto* vf = new QFormLayout(viewBox);
  xBox_ = new QComboBox(viewBox);
  xBox_->addItem(tr("parameters (log)"));
  xBox_->addItem(tr("parameters (linear)"));
  xBox_->addItem(tr("FLOPs (log)"));
  xBox_->addItem(tr("latency (log)"));
  vf->addRow(tr("x axis"), xBox_);
  auto* yBox = new QComboBox(viewBox);
  yBox->setObjectName("yAxis");
  yBox->addItem(tr("validation error"), static_cast<int>(YMetric::Error));
  yBox->addItem(tr("accuracy (%)"), static_cast<int>(YMetric::Accuracy));
  yBox->addItem(tr("MCC"), static_cast<int>(YMetric::Mcc));
  yBox->addItem(tr("F1"), static_cast<int>(YMetric::F1));
  vf->addRow(tr("y axis"), yBox);
  connect(yBox, &QComboBox::currentIndexChanged, this, [this, yBox](int) {
    chart_->setYMetric(static_cast<YMetric>(yBox->currentData().toInt()));
  });
  connect(xBox_, &QComboBox::currentIndexChanged, this, [this](int i) {
    chart_->setLogX(i != 1);
    chart_->setXMetric(i == 2 ? XMetric::Flops : i == 3 ? XMetric::Latency : XMetric::Params);
  });

  return viewBox;
}

void MainWindow::refreshPreview() {
  const QString keepText = textCol_->currentData().toString(),
                keepPair = pairCol_->currentData().toString(),
                keepLabel = labelCol_->currentData().toString();
  for (auto* box : {textCol_, pairCol_, labelCol_}) box->clear();
  textCol_->addItem(tr("(default: text, sentence, sentence1)"), QString());
  pairCol_->addItem(tr("(default: text_pair, sentence2 if present)"), QString());
  labelCol_->addItem(tr("(default: label)"), QString());
  preview_->clear();
  preview_->setRowCount(0);
  preview_->setColumnCount(0);
  if (dataEdit_->text().isEmpty()) return;
  try {
    pp::DataTable t = pp::readTable(dataEdit_->text().toStdString(), 5);
    QStringList cols;
    for (const auto& c : t.columns) cols << QString::fromStdString(c);
    for (const QString& c : cols)
      for (auto* box : {textCol_, pairCol_, labelCol_}) box->addItem(c, c);
    for (auto [box, keep] : {std::pair{textCol_, keepText}, std::pair{pairCol_, keepPair},
                             std::pair{labelCol_, keepLabel}})
      if (int i = box->findData(keep); i > 0) box->setCurrentIndex(i);
    preview_->setColumnCount(static_cast<int>(cols.size()));
    preview_->setHorizontalHeaderLabels(cols);
    preview_->setRowCount(static_cast<int>(t.rows.size()));
    for (size_t r = 0; r < t.rows.size(); ++r)
      for (size_t c = 0; c < t.rows[r].size() && c < t.columns.size(); ++c)
        preview_->setItem(static_cast<int>(r), static_cast<int>(c),
                          new QTableWidgetItem(QString::fromStdString(t.rows[r][c])));
    preview_->resizeColumnsToContents();
  } catch (const pp::Error& e) {
    dataInfo_->setText(QString::fromStdString(e.what()));
  }
}

void MainWindow::setDataFiles(const QString& data, const QString& validation) {
  dataEdit_->setText(data);
  valEdit_->setText(validation);
  refreshPreview();
  refreshDataInfo();
}

SearchSetup MainWindow::currentSetup() const {
  SearchSetup s;
  s.modelDir = modelEdit_->text();
  s.dataFile = dataEdit_->text();
  s.validationFile = valEdit_->text();
  s.textColumn = textCol_->currentData().toString();
  s.pairColumn = pairCol_->currentData().toString();
  s.labelColumn = labelCol_->currentData().toString();
  s.space = spaceBox_->currentData().toString();
  s.strategy = strategyBox_->currentData().toString();
  s.objectives = objectivesBox_->currentData().toString();
  s.trials = trialsSpin_->value();
  s.workers = workersSpin_->value();
  s.device = deviceBox_->currentData().toString();
  s.seed = static_cast<quint64>(seedSpin_->value());
  s.valSubset = subsetSpin_->value();
  s.maxLength = maxLenSpin_->value();
  s.logPath = logEdit_->text();
  s.storage = storageEdit_->text().trimmed();
  s.study = studyEdit_->text().trimmed();
  if (!headsEdit_->text().isEmpty()) {
    nlohmann::json heads = nlohmann::json::array();
    for (const QString& h : headsEdit_->text().split(',', Qt::SkipEmptyParts))
      heads.push_back(h.trimmed().toLongLong());
    const nlohmann::json space = {{"kind", s.space.toStdString()},
                                  {"layers", {minLayers_->value(), maxLayers_->value()}},
                                  {"heads", heads},
                                  {"units", {minUnits_->value(), maxUnits_->value()}}};
    s.spaceJson = QString::fromStdString(space.dump());
  }
  s.resume = !s.logPath.isEmpty() && QFile::exists(s.logPath);
  return s;
}

namespace {
using SetupCheck = MainWindow::SetupCheck;
SetupCheck problem(const QString& m) {
  return {false, m};
}

// The set-up check of `s`; nullopt when `cachedOnly` and a data file has
// not been checked in its current version yet.
std::optional<SetupCheck> checkSetup(const SearchSetup& s, DataChecks& checks, bool cachedOnly) {
  if (s.modelDir.isEmpty()) return problem(MainWindow::tr("Choose a model directory."));
  pp::ModelConfig c;
  try {
    c = pp::loadModelConfig((s.modelDir + "/config.json").toStdString());
  } catch (const pp::Error& e) {
    return problem(QString::fromStdString(e.what()));
  }
  if (s.dataFile.isEmpty()) return problem(MainWindow::tr("Choose a data file."));
  if (!s.storage.isEmpty() && s.study.isEmpty())
    return problem(MainWindow::tr("Name the study to drive in the database."));
  if (!s.storage.isEmpty() && !s.logPath.isEmpty())
    return problem(MainWindow::tr("A study in a database keeps the run: leave the run log empty."));
  if (!s.spaceJson.isEmpty()) {
    try {
      pp::SearchSpace::fromJson(nlohmann::json::parse(s.spaceJson.toStdString()), c);
    } catch (const std::exception& e) {
      return problem(MainWindow::tr("Search space: %1").arg(QString::fromStdString(e.what())));
    }
  }
  const pp::DataColumns cols{s.textColumn.toStdString(), s.pairColumn.toStdString(),
                             s.labelColumn.toStdString()};
  QStringList parts;
  for (const QString& f : {s.dataFile, s.validationFile}) {
    if (f.isEmpty()) continue;
    const auto r = checks.check(f, c, cols, cachedOnly);
    if (!r) return std::nullopt;
    if (!r->ok) return problem(r->text);
    parts << r->text;
  }
  return SetupCheck{true, parts.join("\n") + MainWindow::tr("\nLabels match the model.")};
}
}  // namespace

MainWindow::SetupCheck MainWindow::setupCheck() const {
  return *checkSetup(currentSetup(), *dataChecks_, false);
}

QString MainWindow::validateSetup() const {
  return setupCheck().message;
}

void MainWindow::refreshDataInfo() {
  if (dataCheckTask_.running()) {
    dataCheckPending_ = true;  // checked again, with the form as it is then, when this one ends
    return;
  }
  const SearchSetup s = currentSetup();
  if (auto answer = checkSetup(s, *dataChecks_, true)) {
    dataInfo_->setText(answer->message);
    return;
  }
  // Reading a large data file takes a while: off the UI thread.
  dataInfo_->setText(tr("Checking the data files…"));
  auto answer = std::make_shared<SetupCheck>();
  dataCheckTask_.start(
      [s, checks = dataChecks_, answer] { *answer = *checkSetup(s, *checks, false); },
      [this, answer](const QString& error) {
        dataInfo_->setText(error.isEmpty() ? answer->message : error);
        if (dataCheckPending_) {
          dataCheckPending_ = false;
          refreshDataInfo();
        }
      });
}

void MainWindow::saveSettings() const {
  QSettings s;
  s.setValue("model", modelEdit_->text());
  s.setValue("data", dataEdit_->text());
  s.setValue("validation", valEdit_->text());
  s.setValue("space", spaceBox_->currentIndex());
  s.setValue("strategy", strategyBox_->currentIndex());
  s.setValue("objectives", objectivesBox_->currentIndex());
  s.setValue("trials", trialsSpin_->value());
  s.setValue("workers", workersSpin_->value());
  s.setValue("seed", seedSpin_->value());
  s.setValue("maxLength", maxLenSpin_->value());
}

void MainWindow::loadSettings() {
  QSettings s;
  if (s.contains("model")) modelEdit_->setText(s.value("model").toString());
  dataEdit_->setText(s.value("data").toString());
  refreshPreview();
  valEdit_->setText(s.value("validation").toString());
  spaceBox_->setCurrentIndex(s.value("space", 0).toInt());
  strategyBox_->setCurrentIndex(s.value("strategy", 0).toInt());
  objectivesBox_->setCurrentIndex(s.value("objectives", 0).toInt());
  trialsSpin_->setValue(s.value("trials", 0).toInt());
  workersSpin_->setValue(s.value("workers", 0).toInt());
  seedSpin_->setValue(s.value("seed", 1).toInt());
  maxLenSpin_->setValue(s.value("maxLength", 128).toInt());
}

void MainWindow::resetSpaceRanges(const pp::ModelConfig& c) {
  const auto d = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c);
  minLayers_->setValue(static_cast<int>(d.minLayers));
  maxLayers_->setValue(static_cast<int>(d.maxLayers));
  minUnits_->setValue(static_cast<int>(d.minUnits));
  maxUnits_->setValue(static_cast<int>(d.maxUnits));
  QStringList h;
  for (int64_t x : d.headChoices) h << QString::number(x);
  headsEdit_->setText(h.join(", "));
}

void MainWindow::addRecentLog(const QString& path) {
  if (path.isEmpty()) return;
  QSettings s;
  QStringList recent = s.value("recentLogs").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 8) recent.removeLast();
  s.setValue("recentLogs", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  if (!recentMenu_) return;
  recentMenu_->clear();
  const QStringList recent = QSettings().value("recentLogs").toStringList();
  for (const QString& f : recent) recentMenu_->addAction(f, this, [this, f] { showRunLog(f); });
  recentMenu_->setEnabled(!recent.isEmpty());
}

}  // namespace ppui
