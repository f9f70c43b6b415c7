// What a new user meets in the first hour, in the window (offscreen): a
// search without a chosen log is kept anyway and listed in Recent runs;
// closing the window mid-search asks first; validation data the model was
// trained on is said in a dialog; a wheel changes no setting; settings are
// kept per model; Start/Stop, zoom and its reset can be found.
#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextDocument>
#include <QTimer>
#include <QToolBar>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/training_data.h"
#include "testutil.h"
#include "ui/hypervolume_chart.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/run_controller.h"
#include "ui/search_controller.h"
#include "ui/setup_panel.h"
#include "ui/status_line.h"
#include "ui/trial_table_model.h"

class TestFirstHour : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_;

  // Answers the next modal message box with `button`; returns its text
  // through `text` once answered.
  void answerNextBox(QMessageBox::StandardButton button, QString* text) {
    QTimer::singleShot(50, this, [this, button, text] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      if (!box) return answerNextBox(button, text);
      *text = box->text() + "\n" + box->informativeText();
      box->button(button)->click();
    });
  }

  // The menu titled `title` ("&File") among a menu bar's or a menu's actions.
  static QMenu* menuNamed(const QList<QAction*>& actions, const QString& title) {
    for (QAction* a : actions)
      if (a->menu() && a->text() == title) return a->menu();
    return nullptr;
  }
  static QMenu* recentRuns(ppui::MainWindow& w) {
    QMenu* file = menuNamed(w.menuBar()->actions(), "&File");
    return file ? menuNamed(file->actions(), "Recent runs") : nullptr;
  }
  // The status bar's trial count ("%v / %m trials").
  static QProgressBar* trialCount(ppui::MainWindow& w) {
    for (auto* p : w.statusBar()->findChildren<QProgressBar*>())
      if (p->format() == "%v / %m trials") return p;
    return nullptr;
  }

  QString runsFolder() const {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs";
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("ParetoPruneTest-firsthour");
    QSettings().clear();
    QDir(runsFolder()).removeRecursively();  // only what earlier runs of this test wrote
    pp::setComputeThreads(1, 1);
    model_ = tmp_.path() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(2, 16, 4, 24);
    o.seed = 5;
    pp::writeRandomModel(model_.toStdString(), o);
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 40; ++i)
      d += std::string(i % 2 ? "good food" : "bad service") + " " + std::to_string(i) + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    data_ = tmp_.path() + "/data.tsv";
    testutil::writeText(data_.toStdString(), d);
  }
  // A model whose training.json says it was trained on all of data_.
  QString trainedModel() {
    const QString trained = tmp_.path() + "/trained";
    if (QFileInfo::exists(trained + "/training.json")) return trained;
    QDir().mkpath(trained);
    for (const QString& f : QDir(model_).entryList(QDir::Files))
      if (!QFile::copy(model_ + "/" + f, trained + "/" + f)) return {};
    pp::DataSplit all;
    all.data = data_.toStdString();
    all.valSplit = 0;
    const nlohmann::json record = {{"data", pp::trainingDataJson(all)}};
    testutil::writeText((trained + "/training.json").toStdString(), record.dump());
    return trained;
  }

  void cleanupTestCase() {
    QDir(runsFolder()).removeRecursively();
    QSettings().clear();
  }

  void runWithoutALogIsKept() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    w.setTrials(4);
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY2(w.startSearch(), w.validateSetup().toUtf8().constData());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    const QStringList logs = QDir(runsFolder()).entryList({"tiny-*.jsonl"}, QDir::Files);
    QCOMPARE(logs.size(), 1);
    const QString log = runsFolder() + "/" + logs[0];
    QVERIFY(QFileInfo(log).size() > 0);
    QCOMPARE(QSettings().value("recentLogs").toStringList().value(0), log);
    // The run counted: 4 of 4.
    QProgressBar* count = trialCount(w);
    QVERIFY(count && count->isVisibleTo(&w));
    QCOMPARE(count->value(), 4);
    QCOMPARE(count->maximum(), 4);
    // File > Recent runs lists it, the most recent run first; choosing one opens it.
    QMenu* recent = recentRuns(w);
    QVERIFY(recent && recent->isEnabled());
    QCOMPARE(recent->actions().value(0) ? recent->actions()[0]->text() : QString(), log);
    const QString copy = tmp_.path() + "/copy-of-the-run.jsonl";
    QVERIFY(QFile::copy(log, copy));
    QVERIFY(w.showRunLog(copy));
    QCOMPARE(w.currentSetup().logPath, copy);
    QStringList listed;
    for (QAction* a : recent->actions()) listed << a->text();
    QCOMPARE(listed, QStringList({copy, log}));
    recent->actions()[1]->trigger();  // the older one
    QCOMPARE(w.currentSetup().logPath, log);
    QCOMPARE(w.tableModel()->rowCount(), 4);
    listed.clear();
    for (QAction* a : recentRuns(w)->actions()) listed << a->text();
    QCOMPARE(listed, QStringList({log, copy}));
    QFile::remove(copy);
    // The count came from setTrials (the command line's --trials): used for
    // this run, not remembered as the model's setting.
    ppui::MainWindow again;
    QVERIFY(again.openModel(model_));
    QCOMPARE(again.currentSetup().dataFile, data_);  // what the form chose is remembered
    QCOMPARE(again.currentSetup().trials, 0);        // auto, the default
    QSettings().clear();                             // what Start saved for the model
  }

  // Every field of the set-up says what it is for (a placeholder or a long
  // choice cut short by the panel's width can be read there too), and a
  // field's label says the same.
  void everyFieldExplained() {
    ppui::MainWindow w;
    w.show();
    auto* panel = w.findChild<ppui::SetupPanel*>();
    QVERIFY(panel);
    int fields = 0;
    for (QWidget* f : panel->findChildren<QWidget*>()) {
      if (!qobject_cast<QLineEdit*>(f) && !qobject_cast<QComboBox*>(f) &&
          !qobject_cast<QAbstractSpinBox*>(f))
        continue;
      if (qobject_cast<QLineEdit*>(f) && qobject_cast<QAbstractSpinBox*>(f->parentWidget()))
        continue;  // a spin box's own editor
      if (qobject_cast<QLineEdit*>(f) && qobject_cast<QComboBox*>(f->parentWidget())) continue;
      ++fields;
      QVERIFY2(!f->toolTip().isEmpty(), qPrintable(f->metaObject()->className() + QString(" ") +
                                                   f->objectName() + " has no tooltip"));
    }
    QVERIFY(fields >= 20);
    // Start with no model says so under the data; choosing one takes it away.
    QSettings().clear();
    ppui::MainWindow fresh;
    QVERIFY(!fresh.startSearch());
    auto* info = fresh.findChild<QLabel*>("dataInfo");
    QVERIFY(info);
    QVERIFY2(info->text().contains("Choose a model directory"), qPrintable(info->text()));
    QVERIFY(fresh.openModel(model_));
    QVERIFY2(!info->text().contains("Choose a model directory"), qPrintable(info->text()));
  }

  // Start and Stop are on a toolbar and in the Search menu, whatever the
  // set-up panel's scroll position; they follow the run's state.
  void runActionsAlwaysInReach() {
    ppui::MainWindow w;
    w.resize(1000, 600);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* bar = w.findChild<QToolBar*>("searchToolBar");
    QVERIFY(bar && bar->isVisible());
    QStringList shown;
    for (QAction* a : bar->actions())
      if (!a->isSeparator()) shown << a->objectName();
    QCOMPARE(shown, QStringList({"Start search", "Pause", "Stop", "recover",  // Recover selection
                                 "exportSelection"}));
    QCOMPARE(bar->actions().last()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction* start = bar->actions()[0];
    QAction* stop = bar->actions()[2];
    QVERIFY(bar->widgetForAction(start)->isVisible());
    QVERIFY(start->isEnabled() && !stop->isEnabled());
    QCOMPARE(start->shortcut(), QKeySequence(Qt::Key_F5));
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    w.setTrials(100000);
    start->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.runController().isRunning(), 10000);
    QVERIFY(!start->isEnabled() && stop->isEnabled());
    stop->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!w.runController().isRunning(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(start->isEnabled(), 5000);
    QSettings().clear();  // what Start saved for the model
  }

  // A wheel over the scrolling set-up panel scrolls; it does not change the
  // combo box or spin box under the pointer unless that field has focus.
  void wheelNeverChangesASetting() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* panel = w.findChild<ppui::SetupPanel*>();
    QVERIFY(panel);
    const auto combos = panel->findChildren<QComboBox*>();
    QVERIFY(!combos.isEmpty());
    int tried = 0;
    for (QComboBox* c : combos) {
      if (c->count() < 2 || !c->isEnabled()) continue;
      c->setCurrentIndex(0);
      const QPointF at(c->width() / 2.0, c->height() / 2.0);
      QWheelEvent down(at, c->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton,
                       Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(c, &down);
      QCOMPARE(c->currentIndex(), 0);
      ++tried;
    }
    QVERIFY(tried > 0);
    // Spin boxes (trials, workers, seed, max length, ...) likewise. The same
    // wheel steps a spin box outside the panel: the event is one that counts.
    auto wheelUp = [](QAbstractSpinBox* b) {
      const QPointF at(b->width() / 2.0, b->height() / 2.0);
      QWheelEvent up(at, b->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                     Qt::NoScrollPhase, false);
      QApplication::sendEvent(b, &up);
    };
    QSpinBox free;
    free.setRange(0, 10);
    free.show();
    wheelUp(&free);
    QCOMPARE(free.value(), 1);
    int spins = 0;
    for (QAbstractSpinBox* b : panel->findChildren<QAbstractSpinBox*>()) {
      if (!b->isEnabled() || b->isReadOnly()) continue;
      QVERIFY(!b->hasFocus());
      if (auto* i = qobject_cast<QSpinBox*>(b)) i->setValue(i->minimum());
      if (auto* d = qobject_cast<QDoubleSpinBox*>(b)) d->setValue(d->minimum());
      const QString before = b->text();
      wheelUp(b);
      QVERIFY2(b->text() == before,
               qPrintable(b->objectName() + ": " + before + " -> " + b->text()));
      ++spins;
    }
    QVERIFY(spins >= 4);
  }

  // Before any run the status bar counts no trials ("0 / 1 trials" said
  // nothing): the count appears with a run (runWithoutALogIsKept).
  void noTrialCountBeforeARun() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QProgressBar* count = trialCount(w);
    QVERIFY(count);
    QVERIFY(!count->isVisible());
    QVERIFY(w.openModel(model_));  // a model and data chosen: still no run
    w.setDataFiles(data_, "");
    QCoreApplication::processEvents();
    QVERIFY(!count->isVisible());
  }

  // Start, Pause and Stop are in a Search menu with their shortcuts (no
  // other action takes them: an ambiguous shortcut fires neither), and at
  // the window's default size the set-up panel fits its column: no
  // horizontal scroll bar, nothing cut off on the right.
  void searchMenuAndPanelAtDefaultSize() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.size(), QSize(1280, 820));
    QMenu* search = menuNamed(w.menuBar()->actions(), "&Search");
    QVERIFY(search);
    QList<QAction*> run;
    for (QAction* a : search->actions())
      if (!a->isSeparator()) run << a;
    QVERIFY(run.size() >= 3);
    QCOMPARE(run[0]->objectName(), QString("Start search"));
    QCOMPARE(run[1]->objectName(), QString("Pause"));
    QCOMPARE(run[2]->objectName(), QString("Stop"));
    QCOMPARE(run[0]->shortcut(), QKeySequence(Qt::Key_F5));
    QCOMPARE(run[1]->shortcut(), QKeySequence(Qt::Key_F6));
    QCOMPARE(run[2]->shortcut(), QKeySequence(Qt::SHIFT | Qt::Key_F5));
    for (QAction* a : w.findChildren<QAction*>()) {
      if (a == run[0] || a == run[1] || a == run[2]) continue;
      for (const QKeySequence& k : a->shortcuts())
        QVERIFY2(k != run[0]->shortcut() && k != run[1]->shortcut() && k != run[2]->shortcut(),
                 qPrintable(a->text() + " takes " + k.toString()));
    }
    auto* panel = w.findChild<ppui::SetupPanel*>();
    QScrollArea* scroll = nullptr;
    for (auto* s : w.findChildren<QScrollArea*>())
      if (s->widget() == panel) scroll = s;
    QVERIFY(panel && scroll);
    auto fits = [&] {
      QCoreApplication::processEvents();
      QVERIFY2(panel->width() <= scroll->viewport()->width(),
               qPrintable(QString("the panel is %1 px wide in a column of %2")
                              .arg(panel->width())
                              .arg(scroll->viewport()->width())));
      QVERIFY(!scroll->horizontalScrollBar()->isVisible());
      QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    };
    fits();
    QVERIFY(w.openModel(model_));  // the model's summary and the data's preview shown
    w.setDataFiles(data_, "");
    fits();
    QSettings().clear();
  }

  // Zooming is said where the chart's settings are, and undone by View >
  // Reset zoom (Ctrl+0) or a double-click on the chart.
  void zoomCanBeFoundAndReset() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QLabel* hint = nullptr;
    for (QLabel* l : w.findChildren<QLabel*>())
      if (l->text().contains("zoom")) hint = l;
    QVERIFY(hint && hint->isVisible());
    QVERIFY2(hint->text().contains("Drag a rectangle") && hint->text().contains("double-click") &&
                 hint->text().contains("Ctrl+0"),
             qPrintable(hint->text()));
    QMenu* view = menuNamed(w.menuBar()->actions(), "&View");
    QVERIFY(view);
    QAction* reset = nullptr;
    for (QAction* a : view->actions())
      if (a->text() == "&Reset zoom") reset = a;
    QVERIFY(reset);
    QCOMPARE(reset->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_0));
    ppui::ParetoChart* chart = w.chart();
    pp::Trial full;
    full.id = -1;
    full.errorRate = 0.1;
    full.params = 4000000;
    full.flops = full.params * 90;
    full.subnet.layers = {{4, 24}, {4, 24}};
    chart->setReference(full);
    for (int i = 0; i < 20; ++i) {
      pp::Trial t = full;
      t.id = i;
      t.errorRate = 0.12 + 0.01 * (i % 7);
      t.params = 1000000 + 150000 * i;
      t.flops = t.params * 90;
      chart->queueTrial(t);
    }
    chart->flushNow();
    auto ranges = [chart] {
      QList<double> r;
      for (auto* a : chart->chart()->axes())
        if (auto* v = qobject_cast<QValueAxis*>(a)) r << v->min() << v->max();
      return r;
    };
    const QList<double> whole = ranges();
    QCOMPARE(whole.size(), 4);
    chart->chart()->zoom(4.0);
    QVERIFY(ranges() != whole);
    reset->trigger();
    QCOMPARE(ranges(), whole);
    chart->chart()->zoom(4.0);
    QVERIFY(ranges() != whole);
    QTest::mouseDClick(chart->viewport(), Qt::LeftButton, Qt::NoModifier,
                       chart->viewport()->rect().center());
    QCOMPARE(ranges(), whole);
  }

  // Settings are remembered per model: model A's trials and strategy,
  // saved by Start, are not shown for model B (the defaults are) and are
  // back when A is opened again.
  void settingsRememberedPerModel() {
    QSettings().clear();
    const QString other = tmp_.path() + "/other";
    auto o = pp::TinyModelOptions::shaped(2, 16, 4, 24);
    o.seed = 6;
    pp::writeRandomModel(other.toStdString(), o);
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    auto* trials = w.findChild<QSpinBox*>("trials");
    auto* strategy = w.findChild<QComboBox*>("strategy");
    QVERIFY(trials && strategy);
    QCOMPARE(trials->value(), 0);  // auto
    QCOMPARE(strategy->currentIndex(), 0);
    trials->setValue(3);
    const int random = strategy->findData("random");
    QVERIFY(random > 0);
    strategy->setCurrentIndex(random);
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY2(w.startSearch(), w.validateSetup().toUtf8().constData());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    QVERIFY(w.openModel(other));
    QCOMPARE(trials->value(), 0);
    QCOMPARE(w.currentSetup().trials, 0);
    QCOMPARE(strategy->currentIndex(), 0);
    QVERIFY(w.openModel(model_));
    QCOMPARE(trials->value(), 3);
    QCOMPARE(strategy->currentIndex(), random);
    ppui::MainWindow again;  // a new session opens the last model with its settings
    QCOMPARE(again.currentSetup().modelDir, model_);
    QCOMPARE(again.currentSetup().trials, 3);
    QCOMPARE(again.currentSetup().strategy, QString("random"));
    QSettings().clear();  // what Start saved for the model
  }

  void closingMidSearchAsksFirst() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    w.setTrials(100000);
    QVERIFY(w.startSearch());
    QTRY_VERIFY_WITH_TIMEOUT(w.runController().isRunning(), 10000);
    QString asked;
    answerNextBox(QMessageBox::No, &asked);
    QVERIFY(!w.close());  // "No": the window stays and the search goes on
    QVERIFY2(asked.contains("A search is running") && asked.contains(".jsonl"),
             asked.toUtf8().constData());
    QVERIFY(w.isVisible());
    QVERIFY(w.runController().isRunning());
    answerNextBox(QMessageBox::Yes, &asked);
    QVERIFY(w.close());
    QTRY_VERIFY_WITH_TIMEOUT(!w.runController().isRunning(), 30000);
    QSettings().clear();  // what Start saved for the model
  }

  // An error quotes what it read (here a file name): the box shows it as
  // written, never as markup.
  void errorBoxesArePlainText() {
    ppui::MainWindow w;
    w.show();
    const QString path = tmp_.path() + "/<b>bold</b><img src=x>.jsonl";
    Qt::TextFormat format = Qt::RichText;
    QString text;
    QTimer::singleShot(50, this, [&] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      QVERIFY(box);
      format = box->textFormat();
      text = box->text();
      box->button(QMessageBox::Ok)->click();
    });
    w.openRunLog(path);
    QCOMPARE(format, Qt::PlainText);
    QVERIFY2(text.contains("<b>bold</b>"), text.toUtf8().constData());
  }

  // A log with a damaged line in the middle: the window names the line and,
  // asked, shows the other trials.
  void damagedLogShowsTheRest() {
    const QString log = tmp_.path() + "/whole.jsonl";
    {
      ppui::SearchController c;
      ppui::SearchSetup s;
      s.modelDir = model_;
      s.dataFile = data_;
      s.trials = 6;
      s.latencyRuns = 0;
      s.maxLength = 16;
      s.strategy = "random";
      s.logPath = log;
      QSignalSpy fin(&c, &ppui::SearchController::finished);
      QVERIFY(c.start(s));
      QVERIFY(fin.wait(60000) || fin.size() == 1);
    }
    std::string text = testutil::readText(log.toStdString());
    const size_t l3 = text.find('\n', text.find('\n') + 1) + 1;
    text.replace(l3, text.find('\n', l3) - l3, "{\"trial\": [oops");
    const QString damaged = tmp_.path() + "/damaged.jsonl";
    testutil::writeText(damaged.toStdString(), text);
    ppui::MainWindow w;
    w.show();
    QVERIFY(w.showRunLog(log));
    const int whole = w.tableModel()->rowCount();
    // An opened run draws its hypervolume curve, as a live one does.
    QVERIFY(w.hypervolumeChart()->points() >= 2);
    QVERIFY(!w.showRunLog(damaged));  // the plain call refuses, naming the line
    w.setTrials(100);                 // a count of the form's; an opened run shows its own
    QString asked;
    answerNextBox(QMessageBox::Yes, &asked);
    w.openRunLog(damaged);
    QVERIFY2(asked.contains("Line 3"), asked.toUtf8().constData());
    QCOMPARE(w.tableModel()->rowCount(), whole - 1);
    // A damaged log is shown, not continued: Start would begin a new run in a
    // new log (continuing it failed and cleared the view), and the trial
    // count shown is the run's own.
    QVERIFY(w.currentSetup().logPath.isEmpty());
    QCOMPARE(w.currentSetup().trials, 6);
    QVERIFY(w.showRunLog(log));
    QCOMPARE(w.currentSetup().logPath, log);
    // Recent runs keep absolute paths; one that is gone is taken off the list.
    const QStringList recent = QSettings().value("recentLogs").toStringList();
    QVERIFY(!recent.isEmpty());
    for (const QString& r : recent) QVERIFY2(QFileInfo(r).isAbsolute(), qPrintable(r));
    const QString gone = tmp_.path() + "/gone.jsonl";
    QVERIFY(QFile::copy(log, gone));
    QVERIFY(w.showRunLog(gone));
    QVERIFY(QSettings().value("recentLogs").toStringList().contains(gone));
    QFile::remove(gone);
    QString said;
    answerNextBox(QMessageBox::Ok, &said);
    w.openRunLog(gone);
    QVERIFY2(said.contains("cannot open") || said.contains("No such file"), qPrintable(said));
    QVERIFY(!QSettings().value("recentLogs").toStringList().contains(gone));
    QSettings().clear();  // what Start saved for the model
  }

  // The model's training.json says it was trained on all of data_; a
  // search that holds part of data_ out for validation is told so.
  void validationTheModelHasSeen() {
    const QString trained = trainedModel();
    QVERIFY(!trained.isEmpty());
    ppui::MainWindow w;
    w.show();
    QVERIFY(w.openModel(trained));
    w.setDataFiles(data_, "");
    w.setTrials(2);
    QString said;
    answerNextBox(QMessageBox::Ok, &said);
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY(w.startSearch());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(!said.isEmpty(), 10000);
    QVERIFY2(said.contains("the model was trained on") && said.contains("data.tsv"),
             said.toUtf8().constData());
    QSettings().clear();  // what Start saved for the model
  }

  // A few seen examples in a validation file are only remarked on, in the
  // status line: a remark longer than the window is wide (it names files)
  // is cut with an ellipsis beside the progress box, never under it, whole
  // on hover and in View > Recent messages after it has passed.
  void longRemarkStaysReadable() {
    const QString trained = trainedModel();
    QVERIFY(!trained.isEmpty());
    const QString val = tmp_.path() + "/validation-with-one-seen-example-of-a-hundred.tsv";
    std::string v = "sentence\tlabel\n";
    for (int i = 0; i < 99; ++i)
      v += std::string(i % 2 ? "fine meal" : "slow waiter") + " v" + std::to_string(i) + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    v += "good food 1\tpositive\n";  // line 2 of data_
    testutil::writeText(val.toStdString(), v);
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openModel(trained));
    w.setDataFiles(data_, val);
    w.setTrials(2);
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY(w.startSearch());
    auto* remark = w.findChild<ppui::ElidedLabel*>("statusRemark");
    auto* status = w.findChild<ppui::ElidedLabel*>("statusLine");
    QVERIFY(remark && status);
    QTRY_VERIFY_WITH_TIMEOUT(remark->isVisible() && remark->text().contains("trained on"), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    const QString said = remark->text();
    QVERIFY2(said.startsWith("Warning: 1 of 100 (1.0%) validation examples") && said.contains(val),
             said.toUtf8().constData());
    QVERIFY(QApplication::activeModalWidget() == nullptr);  // few: said, not asked
    // Cut to fit, ending in an ellipsis, left of the progress box (shown
    // again, in case a slow machine let the first showing pass).
    auto* run = w.findChild<ppui::RunController*>();
    Q_EMIT run->note(said, 60000);
    QVERIFY(remark->isVisible() && !status->isVisible());
    QVERIFY(remark->isElided());
    QVERIFY(remark->shownText().endsWith(QChar(0x2026)));
    QVERIFY(remark->fontMetrics().horizontalAdvance(remark->shownText()) <=
            remark->contentsRect().width());
    auto* progress = w.statusBar()->findChild<QProgressBar*>();
    QVERIFY(progress && progress->isVisible());
    const int remarkRight = remark->mapTo(&w, QPoint(remark->width(), 0)).x();
    QVERIFY2(remarkRight <= progress->mapTo(&w, QPoint(0, 0)).x(),
             qPrintable(QString::number(remarkRight)));
    // Whole on hover.
    const QPoint at(10, remark->height() / 2);
    QHelpEvent hover(QEvent::ToolTip, at, remark->mapToGlobal(at));
    QApplication::sendEvent(remark, &hover);
    QTRY_VERIFY(!QToolTip::text().isEmpty());
    QTextDocument shown;
    shown.setHtml(QToolTip::text());
    QCOMPARE(shown.toPlainText(), said);
    QToolTip::hideText();
    // Markup in a remark (a stop reason from a database) is shown as written.
    const QString markup =
        "Study failed: <b>bold</b><img src=\"x.png\"><a href=\"http://e\">click</a> " +
        QString("and more ").repeated(60);
    Q_EMIT run->note(markup, 60000);
    QApplication::sendEvent(remark, &hover);
    QTRY_VERIFY(!QToolTip::text().isEmpty());
    shown.setHtml(QToolTip::text());
    QCOMPARE(shown.toPlainText(), markup);
    QCOMPARE(remark->textFormat(), Qt::PlainText);
    QToolTip::hideText();
    // A short remark passes; the status line comes back with the latest news.
    Q_EMIT run->note("short remark", 200);
    QVERIFY(remark->isVisible() && !remark->isElided());
    QTRY_VERIFY_WITH_TIMEOUT(status->isVisible() && !remark->isVisible(), 5000);
    QVERIFY(!status->text().isEmpty());
    // Both, whole, in View > Recent messages.
    QAction* recent = nullptr;
    for (QAction* a : w.menuBar()->findChildren<QAction*>())
      if (a->text() == "Recent &messages...") recent = a;
    QVERIFY(recent);
    recent->trigger();
    auto* dlg = w.findChild<QDialog*>("recentMessages");
    QVERIFY(dlg && dlg->isVisible());
    const QString listed = dlg->findChild<QPlainTextEdit*>()->toPlainText();
    QVERIFY2(listed.contains(said) && listed.contains("short remark"), listed.toUtf8().constData());
    QSettings().clear();  // what Start saved for the model
  }
};

QTEST_MAIN(TestFirstHour)
#include "test_first_hour.moc"
