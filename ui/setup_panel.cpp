#include "ui/setup_panel.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/search_space.h"
#include "ui/wheel_guard.h"

namespace ppui {

namespace {
// Each model's search settings under a group of their own: a new model
// starts from the defaults, not from another model's trials or space.
QString modelGroup(const QString& dir) {
  const QByteArray path = QDir::cleanPath(QFileInfo(dir).absoluteFilePath()).toUtf8();
  return "models/" + QCryptographicHash::hash(path, QCryptographicHash::Sha1).toHex().left(16);
}

QHBoxLayout* pathRow(QLineEdit* edit, QPushButton* browse) {
  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(edit, 1);
  row->addWidget(browse);
  return row;
}
}  // namespace

SetupPanel::SetupPanel(QWidget* parent) : QWidget(parent) {
  sections_ = new QVBoxLayout(this);
  sections_->addWidget(buildModelBox(this));
  sections_->addWidget(buildDataBox(this));
  sections_->addWidget(buildSearchBox(this));
  sections_->addStretch(1);
  addHelp();
  guardAgainstWheel(this);  // scrolling the panel never changes a setting
  // Long choices ("(default: text_pair, sentence2 if present)") elide
  // instead of widening the panel past its column.
  for (auto* box : findChildren<QComboBox*>()) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(12);
  }
}

SetupPanel::~SetupPanel() = default;  // dataCheckTask_ stops and joins its check

void SetupPanel::addSection(QWidget* w) {
  sections_->insertWidget(sections_->count() - 1, w);  // above the stretch
  guardAgainstWheel(w);
}

// The model: directory, summary, Prepare model.
QWidget* SetupPanel::buildModelBox(QWidget* panel) {
  auto* modelBox = new QGroupBox(tr("Model"), panel);
  auto* mf = new QFormLayout(modelBox);
  modelEdit_ = new QLineEdit(modelBox);
  modelEdit_->setPlaceholderText(tr("Hugging Face BERT classifier directory"));
  auto* mb = new QPushButton(tr("Browse..."), modelBox);
  mf->addRow(tr("Directory"), pathRow(modelEdit_, mb));
  modelInfo_ = new QLabel(tr("No model yet."), modelBox);
  modelInfo_->setObjectName("modelInfo");
  modelInfo_->setWordWrap(true);
  modelInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  mf->addRow(modelInfo_);
  auto* prepare =
      new QPushButton(tr("Prepare model (ordering, super-network training)..."), modelBox);
  mf->addRow(prepare);
  connect(prepare, &QPushButton::clicked, this, &SetupPanel::prepareClicked);
  connect(mb, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Model directory"), modelEdit_->text());
    if (!dir.isEmpty()) Q_EMIT modelChosen(dir);
  });
  connect(modelEdit_, &QLineEdit::editingFinished, this,
          [this] { Q_EMIT modelChosen(modelEdit_->text()); });
  return modelBox;
}

// The data: files, columns, preview, the check's answer.
QWidget* SetupPanel::buildDataBox(QWidget* panel) {
  auto* dataBox = new QGroupBox(tr("Data"), panel);
  auto* df = new QFormLayout(dataBox);
  dataEdit_ = new QLineEdit(dataBox);
  dataEdit_->setPlaceholderText(
      tr(".tsv, .csv or .jsonl with a label column; a tagger's CoNLL or .jsonl"));
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
  dataInfo_->setTextFormat(Qt::PlainText);
  df->addRow(dataInfo_);
  for (auto* box : {textCol_, pairCol_, labelCol_})
    connect(box, &QComboBox::activated, this, [this] { refreshDataInfo(); });
  connect(db, &QPushButton::clicked, this, [this] { browseData(dataEdit_); });
  connect(vb, &QPushButton::clicked, this, [this] { browseData(valEdit_); });
  connect(dataEdit_, &QLineEdit::editingFinished, this, [this] {
    refreshPreview();
    refreshDataInfo();
  });
  connect(valEdit_, &QLineEdit::editingFinished, this, [this] { refreshDataInfo(); });
  return dataBox;
}

void SetupPanel::browseData(QLineEdit* e) {
  const QString f = QFileDialog::getOpenFileName(
      this, tr("Labelled data"), e->text(),
      tr("Data (*.tsv *.csv *.jsonl *.json *.conll *.txt *.bio *.iob);;All files (*)"));
  if (f.isEmpty()) return;
  e->setText(f);
  refreshPreview();
  refreshDataInfo();
}

// The search: space, strategy, objectives, trials, device, ranges, auto's choices.
QWidget* SetupPanel::buildSearchBox(QWidget* panel) {
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
  constraintsEdit_ = new QLineEdit(searchBox);
  constraintsEdit_->setObjectName("constraints");
  constraintsEdit_->setPlaceholderText(tr("none; e.g. latency_ms<=5, accuracy_drop<=1"));
  constraintsEdit_->setToolTip(
      tr("Hard limits, comma-separated: latency_ms, params, params_share, flops, flops_share, "
         "size_mb, error, accuracy, f1, mcc, accuracy_drop (points), with <= or >=. The search "
         "ranks trials that meet them first; the front and the picks are of those."));
  addSearchOptions(searchBox, sf);
  addSpaceRanges(searchBox, sf);
  // What auto chose for this run, and why (filled in when a search starts).
  autoInfo_ = new QLabel(tr("Settings left on auto are chosen when the search starts."), searchBox);
  autoInfo_->setObjectName("autoInfo");
  autoInfo_->setWordWrap(true);
  autoInfo_->setStyleSheet("color: #505050;");
  sf->addRow(autoInfo_);
  return searchBox;
}

// Trials, workers, device, seed, validation subset, length, log, database.
void SetupPanel::addSearchOptions(QWidget* searchBox, QFormLayout* sf) {
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
  sf->addRow(tr("Constraints"), constraintsEdit_);
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
  precisionBox_ = new QComboBox(searchBox);
  precisionBox_->setObjectName("precision");
  precisionBox_->addItem(tr("fp32"), "fp32");
  precisionBox_->addItem(tr("bf16, front confirmed in fp32"), "bf16");
  precisionBox_->addItem(tr("int8, as the onnx-int8 export computes"), "int8");
  precisionBox_->setToolTip(
      tr("bf16 runs the matrix products in bfloat16 where this CPU has it and it measures "
         "faster; every trial that could reach the front is measured again in fp32, so the "
         "front's numbers are fp32 ones. Refused with the reason on a CPU without bf16. int8 "
         "evaluates with the onnx-int8 export's quantisation, for a search of the model you "
         "will deploy in int8."));
  sf->addRow(tr("Precision"), precisionBox_);
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
}

// The space's ranges, editable (reset to the model's when it opens).
void SetupPanel::addSpaceRanges(QWidget* searchBox, QFormLayout* sf) {
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

void SetupPanel::showModel(const QString& dir, const pp::ModelConfig& c) {
  modelEdit_->setText(dir);
  if (modelGroup(dir) != modelGroup(settingsModel_)) loadModelSettings(dir);
  QStringList labels;
  for (const auto& l : c.id2label) labels << QString::fromStdString(l);
  modelInfo_->setText(
      tr("%7: <b>%1 layers</b>, %2 heads, hidden %3, feed-forward %4<br>%5 parameters<br>labels: "
         "%6")
          .arg(c.num_hidden_layers)
          .arg(c.num_attention_heads)
          .arg(c.hidden_size)
          .arg(c.intermediate_size)
          .arg(QLocale().toString(static_cast<qlonglong>(pp::parameterCount(c))))
          .arg(labels.join(", ").toHtmlEscaped())
          .arg(QString::fromStdString(pp::familyDisplayName(c))));
  modelInfo_->setStyleSheet({});
  resetSpaceRanges(c);
  if (!dataEdit_->text().isEmpty())
    refreshDataInfo();
  else
    showDataInfo({}, false);  // an earlier "Choose a model directory." no longer holds
}

void SetupPanel::showModelError(const QString& dir, const QString& error) {
  modelEdit_->setText(dir);
  modelInfo_->setText(tr("<b>Cannot open the model</b><br>%1").arg(error.toHtmlEscaped()));
  modelInfo_->setStyleSheet("color: #a02020;");
}

void SetupPanel::resetSpaceRanges(const pp::ModelConfig& c) {
  const auto d = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c);
  minLayers_->setValue(static_cast<int>(d.minLayers));
  maxLayers_->setValue(static_cast<int>(d.maxLayers));
  minUnits_->setValue(static_cast<int>(d.minUnits));
  maxUnits_->setValue(static_cast<int>(d.maxUnits));
  QStringList h;
  for (int64_t x : d.headChoices) h << QString::number(x);
  headsEdit_->setText(h.join(", "));
}

void SetupPanel::showConstraints(const pp::RunHeader& h) {
  QStringList parts;
  for (const auto& c : h.constraints) parts << QString::fromStdString(c);
  constraintsEdit_->setText(parts.join(", "));
}

void SetupPanel::showAutoChoices(const pp::RunHeader& h) {
  if (!h.autoChoices.is_array() || h.autoChoices.empty()) {
    autoInfo_->setText(tr("No setting was left on auto."));
    return;
  }
  // What was chosen, in a user's words; the evidence behind each choice on
  // hover (and in the run log's header).
  QStringList lines, evidence;
  for (const auto& c : h.autoChoices) {
    QString setting = QString::fromStdString(c.value("setting", std::string()));
    const QString reason = QString::fromStdString(c.value("reason", std::string()));
    const QString summary = QString::fromStdString(c.value("summary", std::string()));
    lines << tr("<b>%1</b>: %2")
                 .arg(setting.replace('_', ' ').toHtmlEscaped(),
                      (summary.isEmpty() ? reason : summary).toHtmlEscaped());
    evidence << tr("<b>%1</b>: %2").arg(setting.toHtmlEscaped(), reason.toHtmlEscaped());
  }
  autoInfo_->setText(tr("Auto chose:<br>") + lines.join("<br>"));
  autoInfo_->setToolTip(tr("Why:<br>") + evidence.join("<br>"));
}

void SetupPanel::refreshPreview() {
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
    fillPreview(dataEdit_->text());
  } catch (const pp::Error& e) {
    showDataInfo(QString::fromStdString(e.what()), true);
    return;
  }
  for (auto [box, keep] : {std::pair{textCol_, keepText}, std::pair{pairCol_, keepPair},
                           std::pair{labelCol_, keepLabel}})
    if (int i = box->findData(keep); i > 0) box->setCurrentIndex(i);
}

// The file's first rows in the preview, its columns in the pickers.
void SetupPanel::fillPreview(const QString& file) {
  pp::DataTable t = pp::readTable(file.toStdString(), 5);
  QStringList cols;
  for (const auto& c : t.columns) cols << QString::fromStdString(c);
  for (const QString& c : cols)
    for (auto* box : {textCol_, pairCol_, labelCol_}) box->addItem(c, c);
  preview_->setColumnCount(static_cast<int>(cols.size()));
  preview_->setHorizontalHeaderLabels(cols);
  preview_->setRowCount(static_cast<int>(t.rows.size()));
  for (size_t r = 0; r < t.rows.size(); ++r)
    for (size_t c = 0; c < t.rows[r].size() && c < t.columns.size(); ++c)
      preview_->setItem(static_cast<int>(r), static_cast<int>(c),
                        new QTableWidgetItem(QString::fromStdString(t.rows[r][c])));
  preview_->resizeColumnsToContents();
}

void SetupPanel::setDataFiles(const QString& data, const QString& validation) {
  dataEdit_->setText(data);
  valEdit_->setText(validation);
  refreshPreview();
  refreshDataInfo();
}

void SetupPanel::showRunLog(const QString& logPath, int trials) {
  logEdit_->setText(logPath);
  // The run's own planned count; auto (0) stays auto: a resumed run keeps its first choice.
  if (trialsSpin_->value() > 0 && trials > 0) trialsSpin_->setValue(trials);
}

void SetupPanel::setTrials(int n) {
  trialsSpin_->setValue(n);
  trialsOverride_ = trialsSpin_->value();
}

SearchSetup SetupPanel::currentSetup() const {
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
  s.constraints = constraintsEdit_->text().trimmed();
  s.trials = trialsSpin_->value();
  s.workers = workersSpin_->value();
  s.device = deviceBox_->currentData().toString();
  s.precision = precisionBox_->currentData().toString();
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

PrepareSetup SetupPanel::prepareSetup() const {
  const SearchSetup search = currentSetup();
  PrepareSetup p;
  p.modelDir = search.modelDir;
  p.data = search.dataSplit();
  p.maxLength = std::min(search.maxLength, 512);
  // The devices the window found; training runs on one ("every GPU": the first).
  for (int i = 0; i < deviceBox_->count(); ++i) p.devices << deviceBox_->itemData(i).toString();
  p.device = search.device == "cuda" ? "cuda:0" : search.device;
  return p;
}

SetupCheck SetupPanel::setupCheck() const {
  return *checkSetup(currentSetup(), *dataChecks_, false);
}

void SetupPanel::showDataProblem(const QString& message) {
  showDataInfo(message, true);
}

// A problem reads as one (red), a summary of good data does not; the text
// is the file's own (column names, labels): shown as plain text.
void SetupPanel::showDataInfo(const QString& text, bool problem) {
  dataInfo_->setText(text);
  dataInfo_->setStyleSheet(problem ? "color: #a02020;" : QString());
}

void SetupPanel::refreshDataInfo() {
  if (dataCheckTask_.running()) {
    dataCheckPending_ = true;  // checked again, with the form as it is then, when this one ends
    return;
  }
  const SearchSetup s = currentSetup();
  if (auto answer = checkSetup(s, *dataChecks_, true)) {
    showDataInfo(answer->message, !answer->ok);
    return;
  }
  // Reading a large data file takes a while: off the UI thread.
  showDataInfo(tr("Checking the data files…"), false);
  auto answer = std::make_shared<SetupCheck>();
  dataCheckTask_.start(
      [s, checks = dataChecks_, answer] { *answer = *checkSetup(s, *checks, false); },
      [this, answer](const QString& error) {
        showDataInfo(error.isEmpty() ? answer->message : error, !error.isEmpty() || !answer->ok);
        if (dataCheckPending_) {
          dataCheckPending_ = false;
          refreshDataInfo();
        }
      });
}

void SetupPanel::saveSettings() const {
  QSettings s;
  s.setValue("model", modelEdit_->text());
  s.beginGroup(modelGroup(modelEdit_->text()));
  s.setValue("data", dataEdit_->text());
  s.setValue("validation", valEdit_->text());
  s.setValue("space", spaceBox_->currentIndex());
  s.setValue("strategy", strategyBox_->currentIndex());
  s.setValue("objectives", objectivesBox_->currentIndex());
  s.setValue("constraints", constraintsEdit_->text());
  if (trialsSpin_->value() != trialsOverride_) s.setValue("trials", trialsSpin_->value());
  s.setValue("workers", workersSpin_->value());
  s.setValue("precision", precisionBox_->currentIndex());
  s.setValue("seed", seedSpin_->value());
  s.setValue("maxLength", maxLenSpin_->value());
}

void SetupPanel::loadSettings() {
  QSettings s;
  if (s.contains("model")) modelEdit_->setText(s.value("model").toString());
  loadModelSettings(modelEdit_->text());
}

void SetupPanel::loadModelSettings(const QString& dir) {
  settingsModel_ = dir;
  QSettings s;
  s.beginGroup(modelGroup(dir));
  if (s.contains("data") || dataEdit_->text().isEmpty()) {  // a new model keeps the data shown
    dataEdit_->setText(s.value("data").toString());
    refreshPreview();
    valEdit_->setText(s.value("validation").toString());
  }
  spaceBox_->setCurrentIndex(s.value("space", 0).toInt());
  strategyBox_->setCurrentIndex(s.value("strategy", 0).toInt());
  objectivesBox_->setCurrentIndex(s.value("objectives", 0).toInt());
  constraintsEdit_->setText(s.value("constraints").toString());
  trialsSpin_->setValue(s.value("trials", 0).toInt());
  workersSpin_->setValue(s.value("workers", 0).toInt());
  precisionBox_->setCurrentIndex(s.value("precision", 0).toInt());
  seedSpin_->setValue(s.value("seed", 1).toInt());
  maxLenSpin_->setValue(s.value("maxLength", 128).toInt());
}

}  // namespace ppui
