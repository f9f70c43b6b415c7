#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/runs/run_report.h"
#include "ui/chart_panel.h"
#include "ui/decide_links.h"
#include "ui/export_dialog.h"
#include "ui/hypervolume_chart.h"
#include "ui/latency_view.h"
#include "ui/parallel_coords.h"
#include "ui/pareto_chart.h"
#include "ui/picks_bar.h"
#include "ui/plain_message.h"
#include "ui/recover_actions.h"
#include "ui/recovered_details.h"
#include "ui/search_actions.h"
#include "ui/setup_panel.h"
#include "ui/status_line.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"
#include "ui/trials_panel.h"

namespace ppui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), run_(new RunController(this)) {
  setWindowTitle(tr("ParetoPrune"));
  charts_ = new ChartPanel(this);
  trials_ = new TrialsPanel(run_->trials(), this);
  run_->setComparedViews({charts_->chart(), charts_->hypervolume(), run_->trials(),
                          trials_->proxy(), trials_->view(), trials_->runFilter()});
  decide_ = new DecideLinks(run_->trials(), trials_, charts_->chart(), charts_->parallel(), this);
  QWidget* centre = buildCentre();
  setup_ = new SetupPanel(this);
  setup_->addSection(charts_->makeAxesBox(setup_));
  exportBtn_ = new QPushButton(tr("Export selection..."), setup_);
  setup_->addSection(exportBtn_);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(setup_);
  scroll->setWidgetResizable(true);
  // No sideways scrolling: the column is as wide as the panel's widest
  // row (its longest button) beside the vertical scroll bar.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(std::clamp(setup_->minimumSizeHint().width() +
                                         scroll->verticalScrollBar()->sizeHint().width() +
                                         2 * scroll->frameWidth(),
                                     340, 420));
  scroll->setMaximumWidth(std::max(420, scroll->minimumWidth()));
  auto* main = new QSplitter(Qt::Horizontal, this);
  main->addWidget(scroll);
  main->addWidget(centre);
  main->setStretchFactor(1, 1);
  setCentralWidget(main);
  buildStatusBar();
  buildMenus();
  connectRun();
  connectParts();
  setup_->loadSettings();
  rebuildRecentMenu();
  updateButtons();
  updateDetails();
  resize(1280, 820);
}

MainWindow::~MainWindow() = default;

// The chart above the tabs: trials, selection, hypervolume, latency.
QWidget* MainWindow::buildCentre() {
  tabs_ = new QTabWidget(this);
  tabs_->addTab(trials_->tablePage(), tr("Trials"));
  tabs_->addTab(charts_->parallel(), tr("Parallel coordinates"));
  tabs_->addTab(trials_->detailsPage(), tr("Selection"));
  tabs_->addTab(charts_->hypervolumePage(), tr("Hypervolume"));
  tabs_->addTab(charts_->latency(), tr("Latency"));
  auto* centre = new QSplitter(Qt::Vertical, this);
  picks_ = new PicksBar(this);
  centre->addWidget(charts_->chart());
  centre->addWidget(picks_);
  centre->addWidget(tabs_);
  centre->setStretchFactor(0, 3);
  centre->setStretchFactor(2, 2);
  centre->setCollapsible(1, false);
  centre->setSizes({480, picks_->sizeHint().height(), 320});
  return centre;
}

void MainWindow::buildStatusBar() {
  // Plain text, cut to fit, whole on hover: stop reasons and errors come from
  // logs and databases, and file names make them long.
  status_ = new StatusLine(this);
  statusLine_ = status_->status();
  statusLine_->setText(tr("Choose a model and data, then start a search."));
  connect(status_, &StatusLine::clicked, this, [this] { showRemarks(this, *status_); });
  progress_ = status_->makeProgressBox(tr("%v / %m trials"), tr("%1 / %1 trials").arg(99999));
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
}

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model..."), this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Model directory"), currentSetup().modelDir);
    if (!dir.isEmpty()) openModel(dir);
  });
  file->addAction(tr("Open run &log..."), this, &MainWindow::openLogDialog);
  file->addAction(tr("Open &study..."), this, &MainWindow::openStudyDialog);
  recentMenu_ = file->addMenu(tr("Recent runs"));
  file->addAction(tr("&Compare runs..."), this, &MainWindow::compareDialog);
  file->addAction(tr("Compare with a s&tudy..."), this, &MainWindow::compareWithStudyDialog);
  file->addAction(tr("&Prepare model..."), this, &MainWindow::prepareModel);
  // On the toolbar too: the set-up panel's button is below the fold at the
  // window's default size.
  exportAct_ = file->addAction(tr("&Export selection..."), this, &MainWindow::exportSelection);
  exportAct_->setObjectName("exportSelection");
  exportAct_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  exportAct_->setToolTip(tr("Write the selected sub-network as a smaller model (Ctrl+E)"));
  file->addAction(tr("&Save trials as..."), this, &MainWindow::saveTrialsDialog);
  file->addAction(tr("Export &report..."), this, &MainWindow::exportReportDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), this, &QWidget::close);
  searchActions_ = new SearchActions(this);
  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Reset zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), charts_->chart(),
                  &ParetoChart::resetZoom);
  view->addAction(tr("Recent &messages..."), this, [this] { showRemarks(this, *status_); });
  recover_ = new RecoverActions(this);
  recover_->install(searchActions_->menu(), searchActions_->toolBar(), view);
  searchActions_->toolBar()->addAction(exportAct_);
  connect(recover_, &RecoverActions::pickedAgain, this, &MainWindow::refreshPicks);
  connect(recover_, &RecoverActions::status, statusLine_, &QLabel::setText);
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About ParetoPrune"), this, [this] {
    QMessageBox::about(
        this, tr("About ParetoPrune"),
        tr("<b>ParetoPrune</b> %1<br>Structural pruning of BERT classifiers guided by a live "
           "Pareto front.<br><br>LibTorch %2<br>Qt %3")
            .arg(QApplication::applicationVersion().section(' ', 0, 0),
                 QString::fromStdString(pp::torchVersion()), qVersion()));
  });
}

// The run controller's news, to the parts that show it.
void MainWindow::connectRun() {
  RunController* r = run_;
  connect(r, &RunController::status, statusLine_, &QLabel::setText);
  connect(r, &RunController::note, status_, &StatusLine::flash);
  connect(r, &RunController::modelOpened, setup_, &SetupPanel::showModel);
  connect(r, &RunController::modelFailed, setup_, &SetupPanel::showModelError);
  connect(r, &RunController::dataShown, setup_, &SetupPanel::setDataFiles);
  connect(r, &RunController::logShown, setup_, &SetupPanel::showRunLog);
  connect(r, &RunController::headerShown, setup_, &SetupPanel::showAutoChoices);
  connect(r, &RunController::headerShown, charts_->chart(),
          [this](const pp::RunHeader& h) { charts_->chart()->setChanceError(h.chanceError); });
  connect(r, &RunController::headerShown, charts_, [this](const pp::RunHeader& h) {
    charts_->setTagger(h.metric == "entity_f1");
    tableModel()->setTagger(h.metric == "entity_f1");
  });
  connect(r, &RunController::headerShown, setup_, &SetupPanel::showConstraints);
  connect(r, &RunController::headerShown, decide_,
          [this](const pp::RunHeader& h) { decide_->setConstraints(h.constraints); });
  connect(r, &RunController::referenceShown, decide_,
          [this](const pp::Trial& full) { decide_->setReference(full); });
  connect(r, &RunController::cleared, charts_, &ChartPanel::clear);
  connect(r, &RunController::cleared, decide_, &DecideLinks::clear);
  connect(r, &RunController::selectionDropped, this, [this] { selectTrials({}); });
  connect(r, &RunController::referenceShown, charts_, &ChartPanel::setReference);
  connect(r, &RunController::trialsAdded, charts_, &ChartPanel::addTrials);
  // The table's filter follows the rows the model marks changed (TrialTableModel::setFront).
  connect(r, &RunController::frontChanged, charts_, &ChartPanel::setFront);
  connect(r, &RunController::progressShown, this, &MainWindow::showProgress);
  // Every point of the hypervolume curve; the progress bar follows progressShown.
  connect(r, &RunController::progressChanged, charts_, &ChartPanel::addProgress);
  connect(r, &RunController::hypervolumeShown, this,
          [this](const std::vector<double>& hv, const std::vector<double>& seconds) {
            HypervolumeChart* c = hypervolumeChart();
            c->clear();
            for (size_t i = 0; i < hv.size(); ++i)
              c->addPoint(static_cast<int64_t>(i + 1), hv[i], seconds[i]);
          });
  connect(r, &RunController::warning, this, &MainWindow::showWarning);
  connect(r, &RunController::comparisonWarned, this, [this](const QStringList& warnings) {
    auto* box = new QMessageBox(QMessageBox::Warning, tr("These runs do not compare exactly"),
                                "- " + warnings.join("\n- "), QMessageBox::Ok, this);
    box->setObjectName("comparisonWarning");
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  });
  connect(r, &RunController::detailsChanged, this, &MainWindow::updateDetails);
  connect(r, &RunController::searchEnded, this, [this](const QString& reason) {
    charts_->flush();
    updateButtons();
    const bool failed = run_->state() == RunController::State::Failed;
    if (failed) {
      // Said where it cannot be missed (the status line cuts long reasons);
      // a progress bar with nothing counted stops spinning.
      if (progress_->maximum() == 0) progress_->setVisible(false);
      auto* box = new QMessageBox(QMessageBox::Warning, tr("The search stopped"), reason,
                                  QMessageBox::Ok, this);
      box->setTextFormat(Qt::PlainText);
      box->setAttribute(Qt::WA_DeleteOnClose);
      box->open();
    }
    Q_EMIT searchFinished(failed ? "failed: " + reason : reason);
  });
}

// The parts' requests: the set-up's buttons, selections in chart and table.
void MainWindow::connectParts() {
  connect(setup_, &SetupPanel::modelChosen, this, &MainWindow::openModel);
  connect(setup_, &SetupPanel::prepareClicked, this, &MainWindow::prepareModel);
  connect(searchActions_->start(), &QAction::triggered, this, &MainWindow::startSearch);
  connect(searchActions_->pause(), &QAction::triggered, this, [this] {
    run_->togglePause();
    updateButtons();
  });
  connect(searchActions_->stop(), &QAction::triggered, run_, &RunController::cancel);
  connect(exportBtn_, &QPushButton::clicked, this, &MainWindow::exportSelection);
  connect(charts_->chart(), &ParetoChart::selectionChanged, this, &MainWindow::selectTrials);
  connect(trials_, &TrialsPanel::selectionChanged, this, &MainWindow::selectTrials);
  connect(charts_->parallel(), &ParallelCoords::selectionChanged, this, &MainWindow::selectTrials);
  picksTimer_ = new QTimer(this);
  picksTimer_->setSingleShot(true);
  picksTimer_->setInterval(200);
  connect(picksTimer_, &QTimer::timeout, this, &MainWindow::refreshPicks);
  for (auto sig : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(tableModel(), sig, picksTimer_, qOverload<>(&QTimer::start));
  connect(tableModel(), &QAbstractItemModel::modelReset, picksTimer_, qOverload<>(&QTimer::start));
  connect(picks_, &PicksBar::pickClicked, this, [this](int64_t id) { selectTrials({id}); });
}

// The picks of the run shown, under its constraints (not for compared runs).
void MainWindow::refreshPicks() {
  const bool single = tableModel()->runNames().isEmpty();
  picks_->setVisible(single);
  if (!single) return;
  const auto& header = session().run();
  std::vector<pp::Trial> trials;
  for (const auto& t : tableModel()->trials())
    if (t.id >= 0) trials.push_back(t);
  size_t firstRecovered = SIZE_MAX;  // View > Pick again: over the recovered points too
  if (recover_ && recover_->pickAgainAction()->isChecked() && !run_->recovered().empty()) {
    firstRecovered = trials.size();
    for (const auto& r : run_->recovered()) trials.push_back(r.trial);
  }
  picks_->refresh(trials, header ? header->objectives : std::vector<std::string>{"error", "params"},
                  header ? header->constraints : std::vector<std::string>{}, run_->reference(),
                  header ? header->metric : "accuracy", firstRecovered,
                  header ? header->chanceError : -1.0);
  chart()->setPicks(picks_->picks(), picks_->recoveredPicks());
}

ParetoChart* MainWindow::chart() const {
  return charts_->chart();
}
ParallelCoords* MainWindow::parallelCoords() const {
  return charts_->parallel();
}
HypervolumeChart* MainWindow::hypervolumeChart() const {
  return charts_->hypervolume();
}
LatencyView* MainWindow::latencyView() const {
  return charts_->latency();
}
TrialTableView* MainWindow::tableView() const {
  return trials_->view();
}
const std::vector<int64_t>& MainWindow::selection() const {
  return trials_->selection();
}

bool MainWindow::openModel(const QString& dir) {
  return run_->openModel(dir);
}
void MainWindow::setDataFiles(const QString& data, const QString& validation) {
  setup_->setDataFiles(data, validation);
}
void MainWindow::setTrials(int n) {
  setup_->setTrials(n);
}
SearchSetup MainWindow::currentSetup() const {
  return setup_->currentSetup();
}
QString MainWindow::validateSetup() const {
  return setup_->setupCheck().message;
}
void MainWindow::refreshDataInfo() {
  setup_->refreshDataInfo();
}
PrepareSetup MainWindow::prepareSetup() const {
  return setup_->prepareSetup();
}

bool MainWindow::startSearch() {
  const SetupCheck check = setup_->setupCheck();
  if (!check.ok) {
    statusLine_->setText(check.message);
    setup_->showDataProblem(check.message);
    return false;
  }
  if (!run_->startSearch(setup_->currentSetup())) return false;
  addRecentLog(run_->runLog());
  setup_->saveSettings();
  updateButtons();
  return true;
}

void MainWindow::updateButtons() {
  searchActions_->setRunning(run_->isRunning(), run_->isPaused());
  exportBtn_->setEnabled(!trials_->selection().empty());
  if (exportAct_) exportAct_->setEnabled(exportBtn_->isEnabled());
  if (recover_) recover_->refresh();
}

void MainWindow::showProgress(int done, int total) {
  progress_->setVisible(true);
  progress_->setRange(0, total);
  progress_->setValue(done);
}

void MainWindow::showWarning(const pp::SearchWarning& warning) {
  const QString w = QString::fromStdString(warning.message);
  if (warning.kind == pp::SearchWarning::Kind::LogWriteFailed) {
    // The log cannot be written: nothing is lost, offer another place.
    warnPlainly(
        this, tr("The run log cannot be written"),
        tr("%1\n\nThe search goes on and keeps every trial. Use File > Save trials as... to "
           "write them somewhere else.")
            .arg(w));
  } else if (warning.kind == pp::SearchWarning::Kind::ValidationSeen) {
    // Every number of the run is affected: said where it cannot be missed.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Validation data the model has seen"),
                                QString(w).replace("--validation", tr("a validation file")),
                                QMessageBox::Ok, this);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  } else {
    status_->flash(tr("Warning: %1").arg(w), 10000);
  }
}

void MainWindow::selectTrials(const std::vector<int64_t>& keys) {
  charts_->setSelection(keys);
  trials_->select(keys);
  if (run_->comparer()->active() && !keys.empty())
    statusLine_->setText(tr("Selected %1.").arg(run_->comparer()->describe(keys.back())));
  updateDetails();
  updateButtons();
}

QString MainWindow::detailsHtml() const {
  const std::vector<pp::Trial> sel = trials_->selectedTrials();
  std::vector<const pp::Trial*> ptrs;
  for (const auto& t : sel) ptrs.push_back(&t);
  // What recovery changed first: it is the news about a recovered trial.
  return recoveredDetailsHtml(ptrs, run_->recovered()) +
         trials_->detailsHtml([this](int64_t key) { return run_->trialTitle(key); },
                              run_->reference(), run_->session().config());
}

void MainWindow::updateDetails() {
  trials_->showDetails(detailsHtml());
  charts_->setLatencyCandidates(run_->session().runModelDir(), trials_->selectedTrials(),
                                run_->session().models());
  // The details, unless the user is brushing in the parallel coordinates.
  if (!trials_->selection().empty() && tabs_->currentWidget() != charts_->parallel())
    tabs_->setCurrentWidget(trials_->detailsPage());
}

void MainWindow::exportSelection() {
  if (trials_->selection().empty()) {
    statusLine_->setText(tr("Select a trial on the chart or in the table first."));
    return;
  }
  auto dlg = makeExportDialogFor(trials_->selection().front());
  if (!dlg) {
    statusLine_->setText(tr("There is no run to export from: start a search or open a run log."));
    return;
  }
  dlg->exec();
}

std::unique_ptr<ExportDialog> MainWindow::makeExportDialog(const pp::Trial& t) {
  return run_->exportDialog(t, this);
}

std::unique_ptr<ExportDialog> MainWindow::makeExportDialogFor(int64_t key) {
  return run_->exportDialogFor(key, this);
}

bool MainWindow::compareRuns(const QStringList& runs, QString* error) {
  return run_->compareRuns(runs, error);
}

bool MainWindow::showRunLog(const QString& path, QString* error) {
  if (!run_->showRunLog(path, error)) return false;
  addRecentLog(path);
  return true;
}

bool MainWindow::showStudy(const QString& url, const QString& name, QString* error) {
  return run_->showStudy(url, name, error);
}

bool MainWindow::saveTrialsAs(const QString& path, QString* error) {
  return run_->saveTrialsAs(path, error);
}

void MainWindow::prepareModel() {
  if (run_->isRunning()) {
    statusLine_->setText(tr("Stop the running search first."));
    return;
  }
  PrepareDialog dlg(prepareSetup(), this);
  connect(&dlg, &PrepareDialog::finished, statusLine_,
          [this](bool, const QString& msg) { statusLine_->setText(msg); });
  dlg.exec();
  if (!dlg.resultDir().isEmpty()) openModel(dlg.resultDir());
}

void MainWindow::openLogDialog() {
  const QString f =
      QFileDialog::getOpenFileName(this, tr("Run log"), QString(), tr("Run logs (*.jsonl)"));
  if (!f.isEmpty()) openRunLog(f);
}

void MainWindow::openRunLog(const QString& path) {
  QString err;
  int64_t damaged = 0;
  if (run_->showRunLog(path, &err, false, &damaged)) return addRecentLog(path);
  if (damaged <= 0) {
    QSettings settings;
    QStringList recent = settings.value("recentLogs").toStringList();
    if (!QFileInfo::exists(path) && recent.removeAll(QFileInfo(path).absoluteFilePath()) > 0) {
      settings.setValue("recentLogs", recent);  // a run log moved or deleted since
      rebuildRecentMenu();
      err += "\n\n" + tr("It was taken off File > Recent runs.");
    }
    warnPlainly(this, tr("Cannot open the run log"), err);
    return;
  }
  QMessageBox ask(QMessageBox::Warning, tr("A damaged run log"),
                  tr("Line %1 of %2 is damaged.").arg(damaged).arg(path),
                  QMessageBox::Yes | QMessageBox::No, this);
  ask.setTextFormat(Qt::PlainText);
  ask.setInformativeText(tr("Show the other trials? (Each damaged line is left out and named.)"));
  ask.setDetailedText(err);
  if (ask.exec() != QMessageBox::Yes) return;
  if (run_->showRunLog(path, &err, true)) return addRecentLog(path);
  warnPlainly(this, tr("Cannot open the run log"), err);
}

// Asks for a study's URL and name; false when the user cancels.
bool MainWindow::askForStudy(const QString& title, const QString& name0, QString* url,
                             QString* name) {
  bool ok = false;
  *url = QInputDialog::getText(this, title, tr("PostgreSQL URL (postgresql://user@host/db):"),
                               QLineEdit::Normal, run_->studyUrl(), &ok);
  if (!ok || url->isEmpty()) return false;
  *name = QInputDialog::getText(this, title, tr("Study name:"), QLineEdit::Normal, name0, &ok);
  return ok && !name->isEmpty();
}

void MainWindow::openStudyDialog() {
  QString url, name, err;
  if (!askForStudy(tr("Open study"), run_->studyName(), &url, &name)) return;
  if (!showStudy(url, name, &err)) warnPlainly(this, tr("Cannot open the study"), err);
}

void MainWindow::compareDialog() {
  const QStringList fs = QFileDialog::getOpenFileNames(this, tr("Run logs to compare (one model)"),
                                                       QString(), tr("Run logs (*.jsonl)"));
  QString err;
  if (!fs.isEmpty() && !compareRuns(fs, &err))
    warnPlainly(this, tr("Cannot compare the runs"), err);
}

// The shown run (or runs) and a study, compared on one chart.
void MainWindow::compareWithStudyDialog() {
  QString url, name, err;
  if (!askForStudy(tr("Compare with a study"), QString(), &url, &name)) return;
  const QStringList runs = shownRuns() << QString::fromStdString(
                               pp::RunSource{"", url.toStdString(), name.toStdString()}.text());
  if (runs.size() < 2) {
    QMessageBox::information(this, tr("Compare with a study"),
                             tr("Open a run log or a study first: the study is compared with it."));
    return;
  }
  if (!compareRuns(runs, &err)) warnPlainly(this, tr("Cannot compare the runs"), err);
}

void MainWindow::saveTrialsDialog() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Save trials as a run log"), QString(),
                                                 tr("Run logs (*.jsonl)"));
  QString err;
  if (!f.isEmpty() && !saveTrialsAs(f, &err)) warnPlainly(this, tr("Cannot save the trials"), err);
}

// The run shown as one HTML file (pp::writeRunReport): chart, hypervolume,
// picks, settings; readable offline in any browser.
void MainWindow::exportReportDialog() {
  const QString log = run_->session().logPath();
  if (log.isEmpty()) {
    QMessageBox::information(this, tr("Export report"),
                             tr("Open a run log or run a search first: the report is of a run."));
    return;
  }
  const QString f = QFileDialog::getSaveFileName(this, tr("Export the run as an HTML report"),
                                                 QString(), tr("HTML files (*.html)"));
  if (f.isEmpty()) return;
  QString err;
  if (!exportReport(log, f, &err)) warnPlainly(this, tr("Cannot write the report"), err);
}

bool MainWindow::exportReport(const QString& log, const QString& out, QString* error) {
  try {
    pp::ReportOptions o;
    o.logPath = log.toStdString();
    pp::writeRunReport(pp::openRunLog(log.toStdString()), o, out.toStdString(), true);
    status_->flash(tr("Report written to %1").arg(out), 5000);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void MainWindow::addRecentLog(const QString& given) {
  if (given.isEmpty()) return;
  const QString path = QFileInfo(given).absoluteFilePath();  // found again from any folder
  QSettings s;
  QStringList recent = s.value("recentLogs").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 8) recent.removeLast();
  s.setValue("recentLogs", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value("recentLogs").toStringList();
  for (const QString& f : recent) recentMenu_->addAction(f, this, [this, f] { openRunLog(f); });
  recentMenu_->setEnabled(!recent.isEmpty());
}

bool MainWindow::confirmCloseWhileRunning() {
  QMessageBox box(QMessageBox::Question, tr("Stop the search?"),
                  tr("A search is running. Stop it and close the window?"),
                  QMessageBox::Yes | QMessageBox::No, this);
  box.setTextFormat(Qt::PlainText);
  const QString log = run_->runLog();
  box.setInformativeText(log.isEmpty() ? tr("The trials so far are kept in the study.")
                                       : tr("The trials so far are kept in %1: open it from "
                                            "File > Recent runs, or start it again to continue.")
                                             .arg(log));
  box.setDefaultButton(QMessageBox::No);
  return box.exec() == QMessageBox::Yes;
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (run_->isRunning() && !confirmCloseWhileRunning()) {
    e->ignore();
    return;
  }
  run_->shutdown();
  setup_->saveSettings();
  e->accept();
}

}  // namespace ppui
