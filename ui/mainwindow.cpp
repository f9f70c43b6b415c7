#include "ui/mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/search/run_log.h"
#include "ui/export_dialog.h"
#include "ui/hypervolume_chart.h"
#include "ui/latency_view.h"
#include "ui/pareto_chart.h"
#include "ui/prepare_dialog.h"
#include "ui/run_comparer.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace ppui {

namespace {
QString human(double seconds) {
  if (seconds < 90) return QString::number(seconds, 'f', 0) + " s";
  if (seconds < 5400)
    return QString("%1 min %2 s")
        .arg(static_cast<int>(seconds / 60))
        .arg(static_cast<int>(seconds) % 60);
  return QString::number(seconds / 3600, 'f', 1) + " h";
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("ParetoPrune"));
  chart_ = new ParetoChart(this);
  hvChart_ = new HypervolumeChart(this);
  table_ = new TrialTableModel(this);
  proxy_ = new TrialFilterProxy(this);
  proxy_->setSourceModel(table_);
  tableView_ = new TrialTableView(this);
  tableView_->setModel(proxy_);
  tableView_->setSortingEnabled(true);
  tableView_->sortByColumn(TrialTableModel::Id, Qt::AscendingOrder);
  details_ = new QTextBrowser(this);
  details_->setOpenLinks(false);

  auto* tablePage = new QWidget(this);
  auto* tl = new QVBoxLayout(tablePage);
  paretoOnly_ = new QCheckBox(tr("Pareto set only"), tablePage);
  auto* filters = new QHBoxLayout;
  filters->addWidget(paretoOnly_);
  runFilter_ = new QComboBox(tablePage);
  runFilter_->setObjectName("runFilter");
  filters->addWidget(runFilter_);
  filters->addStretch(1);
  tl->addLayout(filters);
  tl->addWidget(tableView_);
  tabs_ = new QTabWidget(this);
  tabs_->addTab(tablePage, tr("Trials"));
  tabs_->addTab(details_, tr("Selection"));
  auto* hvPage = new QWidget(this);
  auto* hl = new QVBoxLayout(hvPage);
  auto* overTime = new QCheckBox(tr("Over wall-clock time"), hvPage);
  hl->addWidget(overTime);
  hl->addWidget(hvChart_, 1);
  connect(overTime, &QCheckBox::toggled, hvChart_, &HypervolumeChart::setOverTime);
  tabs_->addTab(hvPage, tr("Hypervolume"));
  latency_ = new LatencyView(this);
  tabs_->addTab(latency_, tr("Latency"));
  comparer_ = new RunComparer({chart_, hvChart_, table_, proxy_, tableView_, runFilter_}, this);

  auto* centre = new QSplitter(Qt::Vertical, this);
  centre->addWidget(chart_);
  centre->addWidget(tabs_);
  centre->setStretchFactor(0, 3);
  centre->setStretchFactor(1, 2);
  centre->setSizes({480, 320});
  auto* main = new QSplitter(Qt::Horizontal, this);
  main->addWidget(buildSetupPanel());
  main->addWidget(centre);
  main->setStretchFactor(1, 1);
  setCentralWidget(main);

  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setFormat(tr("%v / %m trials"));
  progress_->setMaximumWidth(260);
  statusLine_ = new QLabel(tr("Choose a model and data, then start a search."), this);
  statusLine_->setObjectName("statusLine");
  studyTimer_ = new QTimer(this);
  studyTimer_->setInterval(1500);
  connect(studyTimer_, &QTimer::timeout, this, &MainWindow::pollStudy);
  statusBar()->addWidget(statusLine_, 1);
  statusBar()->addPermanentWidget(progress_);

  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model..."), this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Model directory"), modelEdit_->text());
    if (!dir.isEmpty()) openModel(dir);
  });
  file->addAction(tr("Open run &log..."), this, &MainWindow::openLog);
  file->addAction(tr("Open &study..."), this, &MainWindow::openStudyDialog);
  recentMenu_ = file->addMenu(tr("Recent runs"));
  file->addAction(tr("&Compare runs..."), this, [this] {
    const QStringList fs = QFileDialog::getOpenFileNames(
        this, tr("Run logs to compare (one model)"), QString(), tr("Run logs (*.jsonl)"));
    if (!fs.isEmpty() && !compareRuns(fs))
      QMessageBox::warning(this, tr("Cannot compare the runs"), statusLine_->text());
  });
  file->addAction(tr("Compare with a s&tudy..."), this, &MainWindow::compareWithStudyDialog);
  file->addAction(tr("&Prepare model..."), this, &MainWindow::prepareModel);
  file->addAction(tr("&Export selection..."), this, &MainWindow::exportSelection);
  file->addAction(tr("&Save trials as..."), this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, tr("Save trials as a run log"), QString(),
                                                   tr("Run logs (*.jsonl)"));
    QString err;
    if (!f.isEmpty() && !saveTrialsAs(f, &err))
      QMessageBox::warning(this, tr("Cannot save the trials"), err);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close);
  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Reset zoom"), chart_, &ParetoChart::resetZoom);
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About ParetoPrune"), this, [this] {
    QMessageBox::about(
        this, tr("About ParetoPrune"),
        tr("<b>ParetoPrune</b> %1<br>Structural pruning of BERT classifiers guided by a live "
           "Pareto front.<br><br>LibTorch %2<br>Qt %3")
            .arg(QApplication::applicationVersion().section(' ', 0, 0),
                 QString::fromStdString(pp::torchVersion()), qVersion()));
  });

  connect(paretoOnly_, &QCheckBox::toggled, proxy_, &TrialFilterProxy::setParetoOnly);
  connect(chart_, &ParetoChart::selectionChanged, this,
          [this](const std::vector<int64_t>& ids) { selectTrials(ids); });
  connect(tableView_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    if (syncingSelection_) return;
    std::vector<int64_t> ids;
    for (const auto& idx : tableView_->selectionModel()->selectedRows())
      ids.push_back(idx.data(TrialTableModel::TrialIdRole).toLongLong());
    if (ids.size() > 3) ids.erase(ids.begin(), ids.end() - 3);
    selectTrials(ids);
  });
  connectController();
  loadSettings();
  rebuildRecentMenu();
  updateButtons();
  updateDetails();
  resize(1280, 820);
}

MainWindow::~MainWindow() = default;

void MainWindow::connectController() {
  controller_.setModels(session_.models());
  connect(&controller_, &SearchController::started, this, [this](const QString& d) {
    studyTimer_->stop();
    studyName_.clear();
    if (controller_.header()) {
      session_.setRun(*controller_.header(), controller_.setup().logPath);
      showAutoChoices(*controller_.header());
    }
    statusLine_->setText(tr("Searching: %1").arg(d));
    fullParams_ = pp::parameterCount(controller_.config());
    table_->setReferenceParams(*fullParams_);
  });
  connect(&controller_, &SearchController::referenceReady, this, [this](const pp::Trial& t) {
    reference_ = t;
    chart_->setReference(t);
    updateDetails();
  });
  connect(&controller_, &SearchController::trialFinished, this, [this](const pp::Trial& t) {
    table_->addTrials({t});
    chart_->queueTrial(t);
  });
  connect(&controller_, &SearchController::frontChanged, this,
          [this](const std::vector<int64_t>& ids) {
            table_->setFront(ids);
            chart_->setFront(ids);
            proxy_->invalidate();
          });
  connect(&controller_, &SearchController::progressChanged, this,
          [this](const pp::SearchProgress& p) {
            progress_->setRange(0, static_cast<int>(p.total));
            progress_->setValue(static_cast<int>(p.done));
            hvChart_->addPoint(p.done, p.hypervolume, p.elapsedSeconds);
            statusLine_->setText(
                tr("%1 of %2 trials, %3 per minute, about %4 left; front %5, hypervolume %6%7")
                    .arg(p.done)
                    .arg(p.total)
                    .arg(p.trialsPerMinute, 0, 'f', 1)
                    .arg(human(p.etaSeconds))
                    .arg(p.frontSize)
                    .arg(p.hypervolume, 0, 'f', 4)
                    .arg(p.failed ? tr(", %1 failed").arg(p.failed) : QString()));
          });
  connect(&controller_, &SearchController::warning, this, [this](const pp::SearchWarning& warning) {
    const QString w = QString::fromStdString(warning.message);
    if (warning.kind == pp::SearchWarning::Kind::LogWriteFailed) {
      // The log cannot be written: nothing is lost, offer another place.
      QMessageBox::warning(
          this, tr("The run log cannot be written"),
          tr("%1\n\nThe search goes on and keeps every trial. Use File > Save trials as... to "
             "write them somewhere else.")
              .arg(w));
    } else {
      statusBar()->showMessage(tr("Warning: %1").arg(w), 10000);
    }
  });
  connect(&controller_, &SearchController::failed, this, [this](const QString& m) {
    chart_->flushNow();
    statusLine_->setText(tr("The search stopped: %1").arg(m));
    updateButtons();
    Q_EMIT searchFinished("failed: " + m);
  });
  connect(&controller_, &SearchController::finished, this, [this](const QString& reason) {
    chart_->flushNow();
    const auto onFront =
        std::count_if(table_->trials().begin(), table_->trials().end(),
                      [this](const pp::Trial& t) { return table_->isOnFront(t.id); });
    statusLine_->setText(
        tr("Search finished (%1): %2 trials, %3 on the Pareto front. Click points to compare them.")
            .arg(reason)
            .arg(table_->rowCount())
            .arg(onFront));
    updateButtons();
    Q_EMIT searchFinished(reason);
  });
}

bool MainWindow::openModel(const QString& dir) {
  modelEdit_->setText(dir);
  try {
    pp::ModelConfig c = pp::loadModelConfig((dir + "/config.json").toStdString());
    if (!pp::WordPieceTokenizer::existsIn(dir.toStdString()))
      throw pp::Error(dir.toStdString() + ": no vocab.txt or tokenizer.json");
    QStringList labels;
    for (const auto& l : c.id2label) labels << QString::fromStdString(l);
    modelInfo_->setText(
        tr("<b>%1 layers</b>, %2 heads, hidden %3, feed-forward %4<br>%5 parameters<br>labels: %6")
            .arg(c.num_hidden_layers)
            .arg(c.num_attention_heads)
            .arg(c.hidden_size)
            .arg(c.intermediate_size)
            .arg(QLocale().toString(static_cast<qlonglong>(pp::parameterCount(c))))
            .arg(labels.join(", ").toHtmlEscaped()));
    modelInfo_->setStyleSheet({});
    session_.setModel(dir, c);
    resetSpaceRanges(c);
    statusLine_->setText(tr("Model %1 ready.").arg(dir));
    if (!dataEdit_->text().isEmpty()) refreshDataInfo();
    return true;
  } catch (const pp::Error& e) {
    modelInfo_->setText(tr("<b>Cannot open the model</b><br>%1")
                            .arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    modelInfo_->setStyleSheet("color: #a02020;");
    statusLine_->setText(tr("Model not loaded."));
    return false;
  }
}

void MainWindow::setTrials(int n) {
  trialsSpin_->setValue(n);
}

bool MainWindow::startSearch() {
  const SetupCheck check = setupCheck();
  if (!check.ok) {
    statusLine_->setText(check.message);
    dataInfo_->setText(check.message);
    return false;
  }
  SearchSetup s = currentSetup();
  QString err;
  comparer_->clear();
  table_->clear();
  chart_->clear();
  hvChart_->clear();
  reference_.reset();
  selectTrials({});
  if (!controller_.start(s, &err)) {
    statusLine_->setText(err);
    return false;
  }
  progress_->setRange(0, s.trials);
  progress_->setValue(0);
  addRecentLog(s.logPath);
  statusLine_->setText(tr("Loading the model and the validation data..."));
  saveSettings();
  updateButtons();
  return true;
}

void MainWindow::updateButtons() {
  const bool running = controller_.isRunning();
  startBtn_->setEnabled(!running);
  pauseBtn_->setEnabled(running);
  stopBtn_->setEnabled(running);
  pauseBtn_->setText(controller_.isPaused() ? tr("Resume") : tr("Pause"));
  exportBtn_->setEnabled(!selection_.empty());
}

void MainWindow::selectTrials(const std::vector<int64_t>& ids) {
  selection_ = ids;
  chart_->setSelection(ids);
  syncingSelection_ = true;
  tableView_->clearSelection();
  for (int64_t id : ids) {
    const int row = table_->rowOf(id);
    if (row < 0) continue;
    const QModelIndex idx = proxy_->mapFromSource(table_->index(row, 0));
    if (idx.isValid())
      tableView_->selectionModel()->select(idx,
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
  }
  if (!ids.empty()) {
    const int row = table_->rowOf(ids.back());
    if (row >= 0) tableView_->scrollTo(proxy_->mapFromSource(table_->index(row, 0)));
  }
  syncingSelection_ = false;
  if (comparer_->active() && !ids.empty())
    statusLine_->setText(tr("Selected %1.").arg(comparer_->describe(ids.back())));
  updateDetails();
  updateButtons();
}

QString MainWindow::detailsHtml() const {
  const auto& ref = reference_;
  std::vector<const pp::Trial*> sel;
  for (int64_t id : selection_)
    if (const pp::Trial* t = table_->trial(id)) sel.push_back(t);
  if (sel.empty())
    return tr(
        "<p>Click points on the chart (shift-click adds, up to three) or rows of the table to "
        "compare "
        "sub-networks with the full model.</p>");
  QString h =
      "<table cellspacing=0 cellpadding=4 border=1 style='border-collapse:collapse'><tr><th></th>";
  if (ref) h += tr("<th>full model</th>");
  for (int64_t key : selection_)
    if (table_->trial(key)) h += QString("<th>%1</th>").arg(trialTitle(key).toHtmlEscaped());
  h += "</tr>";
  auto row = [&](const QString& name, auto fmt) {
    h += "<tr><td><b>" + name + "</b></td>";
    if (ref) h += "<td align=right>" + fmt(*ref) + "</td>";
    for (const auto* t : sel) h += "<td align=right>" + fmt(*t) + "</td>";
    h += "</tr>";
  };
  row(tr("sub-network"), [](const pp::Trial& t) {
    return QString::fromStdString(t.subnet.summary()).toHtmlEscaped();
  });
  row(tr("accuracy"), [&](const pp::Trial& t) {
    QString s = QString::number(100.0 * t.accuracy, 'f', 2) + "%";
    if (ref && &t != &*ref)
      s += QString(" (%1%2)")
               .arg(t.accuracy >= ref->accuracy ? "+" : "")
               .arg(100.0 * (t.accuracy - ref->accuracy), 0, 'f', 1);
    return s;
  });
  row(tr("parameters"), [&](const pp::Trial& t) {
    QString s = QLocale().toString(static_cast<qlonglong>(t.params));
    if (ref && ref->params > 0)
      s += QString(" (%1%)").arg(
          100.0 * static_cast<double>(t.params) / static_cast<double>(ref->params), 0, 'f', 0);
    return s;
  });
  row(tr("FLOPs / sequence"), [](const pp::Trial& t) {
    return QString::number(static_cast<double>(t.flops) / 1e6, 'f', 1) + " M";
  });
  row(tr("latency (median / p95)"), [&](const pp::Trial& t) {
    if (t.latencyMs <= 0) return QString("-");
    QString s = QString("%1 / %2 ms").arg(t.latencyMs, 0, 'f', 2).arg(t.latencyP95Ms, 0, 'f', 2);
    if (ref && ref->latencyMs > 0 && &t != &*ref)
      s += QString(" (%1x)").arg(ref->latencyMs / t.latencyMs, 0, 'f', 1);
    return s;
  });
  row(tr("MCC / F1"), [](const pp::Trial& t) {
    return QString("%1 / %2").arg(t.mcc, 0, 'f', 3).arg(t.f1, 0, 'f', 3);
  });
  row(tr("evaluated"), [](const pp::Trial& t) {
    if (t.evalSeconds < 0) return QString("-");
    return QString("%1 s, %2")
        .arg(t.evalSeconds, 0, 'f', 2)
        .arg(QString::fromStdString(t.mode.empty() ? "-" : t.mode));
  });
  h += "</table>";
  // Per-layer diagram: one row per source layer, bars for heads and units.
  const auto& c = session_.config();
  for (const auto* t : sel) {
    h += QString("<h4>Trial %1: layers</h4><table cellspacing=1 cellpadding=0>")
             .arg(t->id);  // ids repeat only across compared runs
    for (size_t l = 0; l < t->subnet.layers.size(); ++l) {
      const auto& ch = t->subnet.layers[l];
      const int64_t H = c.num_hidden_layers > 0 ? c.headsInLayer(static_cast<int64_t>(l)) : 1;
      const int64_t U = c.num_hidden_layers > 0
                            ? std::max<int64_t>(1, c.unitsInLayer(static_cast<int64_t>(l)))
                            : 1;
      const int hw = static_cast<int>(120.0 * static_cast<double>(ch.heads) /
                                      static_cast<double>(std::max<int64_t>(1, H)));
      const int uw =
          static_cast<int>(180.0 * static_cast<double>(ch.units) / static_cast<double>(U));
      h += QString(
               "<tr><td>L%1&nbsp;</td><td width=124><table cellspacing=0 cellpadding=0><tr><td "
               "width=%2 "
               "bgcolor=#e07820 height=10></td><td width=%3 bgcolor=#eeeeee></td></tr></table></td>"
               "<td>&nbsp;%4 heads&nbsp;</td><td width=184><table cellspacing=0 "
               "cellpadding=0><tr><td width=%5 "
               "bgcolor=#4a78b0 height=10></td><td width=%6 bgcolor=#eeeeee></td></tr></table></td>"
               "<td>&nbsp;%7 units%8</td></tr>")
               .arg(l)
               .arg(std::max(1, hw))
               .arg(std::max(1, 120 - hw))
               .arg(ch.heads)
               .arg(std::max(1, uw))
               .arg(std::max(1, 180 - uw))
               .arg(ch.units)
               .arg(ch.kept() ? QString() : tr(" (removed)"));
    }
    h += "</table>";
  }
  return h;
}

void MainWindow::updateDetails() {
  details_->setHtml(detailsHtml());
  std::vector<pp::Trial> sel;
  for (int64_t id : selection_)
    if (const pp::Trial* t = table_->trial(id)) sel.push_back(*t);
  latency_->setCandidates(session_.runModelDir(), sel, session_.models());
  if (!selection_.empty()) tabs_->setCurrentWidget(details_);
}

void MainWindow::exportSelection() {
  if (selection_.empty()) {
    statusLine_->setText(tr("Select a trial on the chart or in the table first."));
    return;
  }
  auto dlg = makeExportDialogFor(selection_.front());
  if (!dlg) {
    statusLine_->setText(tr("There is no run to export from: start a search or open a run log."));
    return;
  }
  dlg->exec();
}

void MainWindow::showAutoChoices(const pp::RunHeader& h) {
  if (!h.autoChoices.is_array() || h.autoChoices.empty()) {
    autoInfo_->setText(tr("No setting was left on auto."));
    return;
  }
  QStringList lines;
  for (const auto& c : h.autoChoices)
    lines << tr("<b>%1</b>: %2")
                 .arg(QString::fromStdString(c.value("setting", std::string())).toHtmlEscaped(),
                      QString::fromStdString(c.value("reason", std::string())).toHtmlEscaped());
  autoInfo_->setText(tr("Auto chose:<br>") + lines.join("<br>"));
}

std::unique_ptr<ExportDialog> MainWindow::makeExportDialogFor(int64_t key) {
  const pp::Trial* t = table_->trial(key);
  if (!t) return nullptr;
  // Compared runs: the trial's own run (its model, checked against its checksum).
  if (const pp::ComparedRun* r = comparer_->runOf(key))
    return std::make_unique<ExportDialog>(r->run.log.header, QString::fromStdString(r->logPath), *t,
                                          session_.models(), this);
  return makeExportDialog(*t);
}

QString MainWindow::trialTitle(int64_t key) const {
  return comparer_->active() ? comparer_->describe(key) : tr("trial %1").arg(key);
}

bool MainWindow::compareRuns(const QStringList& logs) {
  if (controller_.isRunning()) {
    statusLine_->setText(tr("Stop the running search first."));
    return false;
  }
  QString err;
  selectTrials({});
  if (!comparer_->load(logs, &err)) {
    statusLine_->setText(tr("Cannot compare the runs: %1").arg(err));
    return false;
  }
  studyTimer_->stop();  // a study followed live no longer is
  studyName_.clear();
  const pp::ComparedRun& first = comparer_->comparison()->runs.front();
  openModel(QString::fromStdString(first.run.modelDir));
  const pp::DataSplit& split =
      first.run.log.header.data;  // the first run's data, as an opened log shows it
  if (!split.data.empty())
    setDataFiles(QString::fromStdString(split.data), QString::fromStdString(split.validation));
  int trials = 0;
  for (const auto& r : comparer_->comparison()->runs)
    trials += static_cast<int>(r.run.log.trials.size());
  progress_->setRange(0, std::max(1, trials));
  progress_->setValue(trials);
  session_.clearRun();  // several runs: export asks the comparer for each trial's own
  reference_ = first.run.reference;
  statusLine_->setText(comparer_->summary());
  updateDetails();
  return true;
}

std::unique_ptr<ExportDialog> MainWindow::makeExportDialog(const pp::Trial& t) {
  if (!session_.run()) return nullptr;
  return std::make_unique<ExportDialog>(*session_.run(), session_.logPath(), t, session_.models(),
                                        this);
}

bool MainWindow::saveTrialsAs(const QString& path, QString* error) {
  try {
    // The shown run's own header (model checksum, space, data split), so
    // that the saved file can be resumed and exported from like the original.
    const std::optional<pp::RunHeader>& shown = session_.run();
    if (!shown) throw pp::Error("there is no run to save: start a search or open a run log first");
    pp::RunHeader header = *shown;
    header.savedFrom = "ParetoPrune window";
    if (reference_) header.reference = reference_->toJson();
    pp::RunLog log;
    log.create(path.toStdString(), header);
    for (const auto& t : table_->trials()) log.append(t);
    log.close();
    statusLine_->setText(tr("Saved %1 trials to %2.").arg(table_->trials().size()).arg(path));
    return true;
  } catch (const pp::Error& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

PrepareSetup MainWindow::prepareSetup() const {
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

void MainWindow::prepareModel() {
  if (controller_.isRunning()) {
    statusLine_->setText(tr("Stop the running search first."));
    return;
  }
  PrepareDialog dlg(prepareSetup(), this);
  connect(&dlg, &PrepareDialog::finished, this,
          [this](bool ok, const QString& msg) { statusLine_->setText(msg); });
  dlg.exec();
  if (!dlg.resultDir().isEmpty()) openModel(dlg.resultDir());
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (controller_.isRunning()) {
    controller_.cancel();
    controller_.wait();  // finished trials are already in the log
  }
  saveSettings();
  e->accept();
}

}  // namespace ppui
