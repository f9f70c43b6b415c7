// paretoprune: the desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "ui/export_dialog.h"
#include "ui/mainwindow.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"
#include "version.h"

namespace {
// The demo's model and data: beside the build tree, or installed.
QString demoDir() {
  const QString app = QCoreApplication::applicationDirPath();
  const QStringList candidates = {qEnvironmentVariable("PARETOPRUNE_DEMO_DIR"),
                                  app + "/../../resources/demo", app + "/../share/paretoprune/demo",
                                  "/usr/share/paretoprune/demo",
                                  PARETOPRUNE_SOURCE_RESOURCES "/demo"};
  for (const QString& c : candidates)
    if (!c.isEmpty() && QFileInfo::exists(c + "/model/config.json")) return QDir(c).absolutePath();
  return {};
}
}  // namespace

int main(int argc, char** argv) {
  // --version needs no display.
  for (int i = 1; i < argc; ++i)
    if (QByteArray(argv[i]) == "--version" || QByteArray(argv[i]) == "-v") {
      std::printf("ParetoPrune %s (LibTorch %s, Qt %s)\n", PARETOPRUNE_VERSION,
                  pp::torchVersion().c_str(), qVersion());
      return 0;
    }
  QCommandLineParser cli;
  cli.setApplicationDescription(
      "ParetoPrune: structural pruning of BERT classifiers guided by a Pareto front");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption modelOpt("model", "Open this model directory at start.", "DIR");
  QCommandLineOption dataOpt("data", "Labelled data file.", "FILE");
  QCommandLineOption valOpt("validation", "Validation data file.", "FILE");
  QCommandLineOption demoOpt("demo", "Set up the built-in demo (model and data).");
  QCommandLineOption trialsOpt("trials", "Number of trials.", "N");
  QCommandLineOption startOpt("start", "Start the search at once.");
  QCommandLineOption exitOpt("exit-when-done",
                             "Start the search, and quit when it ends (with --screenshot: after "
                             "saving it).");
  QCommandLineOption shotOpt(
      "screenshot",
      "Save a PNG of the window: when the search ends with --exit-when-done, "
      "else shortly after start-up (then quit).",
      "FILE");
  QCommandLineOption midShotOpt("mid-screenshot",
                                "Save a PNG of the window when half the trials are done.", "FILE");
  QCommandLineOption dialogShotOpt("dialog-screenshot",
                                   "With --exit-when-done and --select-front: open the export "
                                   "dialog for the selection and save a PNG of it.",
                                   "FILE");
  QCommandLineOption logOpt("log", "Show this run log (and continue it with Start).", "RUN.jsonl");
  QCommandLineOption compareOpt(
      "compare",
      "Compare runs of one model on one chart (give it for each run: a run log, or a study "
      "written NAME@postgresql://HOST/DB).",
      "RUN");
  QCommandLineOption selectOpt("select-front",
                               "When the search ends, select up to three Pareto points (for "
                               "screenshots of the details).");
  for (const auto& o : {modelOpt, dataOpt, valOpt, demoOpt, trialsOpt, startOpt, exitOpt, shotOpt,
                        selectOpt, logOpt, compareOpt, midShotOpt, dialogShotOpt})
    cli.addOption(o);
  // --help needs no display either: answer it before the GUI application
  // (and its platform plugin) starts.
  for (int i = 1; i < argc; ++i)
    if (QByteArray(argv[i]) == "--help" || QByteArray(argv[i]) == "-h" ||
        QByteArray(argv[i]) == "--help-all") {
      QCoreApplication core(argc, argv);
      QCoreApplication::setApplicationName("paretoprune");
      cli.process(core);  // prints the help and exits
      return 0;
    }
  QApplication app(argc, argv);
  QApplication::setApplicationName("ParetoPrune");
  QApplication::setOrganizationName("ParetoPrune");
  QApplication::setApplicationVersion(
      QString("%1 (LibTorch %2, Qt %3)")
          .arg(PARETOPRUNE_VERSION, QString::fromStdString(pp::torchVersion()), qVersion()));
  cli.process(app);

  ppui::MainWindow w;
  w.show();
  if (cli.isSet(demoOpt)) {
    const QString d = demoDir();
    if (d.isEmpty()) {
      std::fprintf(stderr,
                   "paretoprune: the demo files were not found (set PARETOPRUNE_DEMO_DIR)\n");
      return 1;
    }
    w.openModel(d + "/model");
    w.setDataFiles(d + "/sentiment-train.tsv", d + "/sentiment-validation.tsv");
  }
  if (cli.isSet(modelOpt)) w.openModel(cli.value(modelOpt));
  if (cli.isSet(dataOpt)) w.setDataFiles(cli.value(dataOpt), cli.value(valOpt));
  if (cli.isSet(logOpt) && !w.showRunLog(cli.value(logOpt))) {
    std::fprintf(stderr, "paretoprune: cannot show %s\n", cli.value(logOpt).toUtf8().constData());
    if (cli.isSet(shotOpt)) return 1;
  }
  if (cli.isSet(compareOpt) && !w.compareRuns(cli.values(compareOpt))) {
    const QLabel* status = w.findChild<QLabel*>("statusLine");
    std::fprintf(stderr, "paretoprune: %s\n",
                 status ? status->text().toUtf8().constData() : "cannot compare the runs");
    if (cli.isSet(shotOpt)) return 1;
  }
  if (cli.isSet(trialsOpt)) w.setTrials(cli.value(trialsOpt).toInt());
  const bool exitWhenDone = cli.isSet(exitOpt);
  if (cli.isSet(midShotOpt)) {
    const QString mid = cli.value(midShotOpt);
    auto taken = std::make_shared<bool>(false);
    QObject::connect(&w.controller(), &ppui::SearchController::progressChanged, &w,
                     [&w, mid, taken](const pp::SearchProgress& p) {
                       if (*taken || p.done * 2 < p.total) return;
                       *taken = true;
                       QTimer::singleShot(200, &w, [&w, mid] { w.grab().save(mid); });
                     });
  }
  const QString shot = cli.value(shotOpt);
  if (exitWhenDone || cli.isSet(startOpt)) {
    QObject::connect(&w, &ppui::MainWindow::searchFinished, &w, [&](const QString& reason) {
      if (cli.isSet(selectOpt)) {
        std::vector<int64_t> front;
        for (const auto& t : w.tableModel()->trials())
          if (w.tableModel()->isOnFront(t.id)) front.push_back(t.id);
        std::vector<int64_t> pick;
        if (!front.empty()) pick = {front[front.size() / 3], front[2 * front.size() / 3]};
        w.selectTrials(pick);
      }
      if (!exitWhenDone) return;
      if (cli.isSet(dialogShotOpt) && !w.selection().empty()) {
        const pp::Trial* t = w.tableModel()->trial(w.selection().front());
        ppui::ExportDialog* dlg = w.makeExportDialog(*t).release();
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        dlg->show();
        const QString file = cli.value(dialogShotOpt);
        QTimer::singleShot(300, dlg, [dlg, file] { dlg->grab().save(file); });
      }
      QTimer::singleShot(600, &w, [&, reason] {
        const bool ok = shot.isEmpty() || w.grab().save(shot);
        std::printf("search %s; %s\n", reason.toUtf8().constData(),
                    shot.isEmpty()
                        ? ""
                        : (ok ? ("screenshot " + shot).toUtf8().constData() : "screenshot failed"));
        QApplication::exit(ok && !reason.startsWith("failed") ? 0 : 1);
      });
    });
    QTimer::singleShot(0, &w, [&] {
      if (!w.startSearch()) {
        std::fprintf(stderr, "paretoprune: cannot start: %s\n",
                     w.validateSetup().toUtf8().constData());
        if (exitWhenDone) QApplication::exit(1);
      }
    });
  } else if (!shot.isEmpty()) {
    QTimer::singleShot(600, &w, [&w, shot] {
      const bool ok = w.grab().save(shot);
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return QApplication::exec();
}
