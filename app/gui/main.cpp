// paretoprune: the desktop application. main() reads the command line,
// fills the window (ui/mainwindow.h) and hands scripted runs to the
// screenshot harness (ui/screenshot_harness.h).
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

#include "paretoprune/cpu/threads.h"
#include "ui/mainwindow.h"
#include "ui/screenshot_harness.h"
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

bool hasArgument(int argc, char** argv, std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i)
    for (const char* n : names)
      if (QByteArray(argv[i]) == n) return true;
  return false;
}

struct Options {
  QCommandLineOption model{"model", "Open this model directory at start.", "DIR"};
  QCommandLineOption data{"data", "Labelled data file.", "FILE"};
  QCommandLineOption validation{"validation", "Validation data file.", "FILE"};
  QCommandLineOption demo{"demo", "Set up the built-in demo (model and data)."};
  QCommandLineOption trials{"trials", "Number of trials.", "N"};
  QCommandLineOption start{"start", "Start the search at once."};
  QCommandLineOption exit{"exit-when-done",
                          "Start the search, and quit when it ends (with --screenshot: after "
                          "saving it)."};
  QCommandLineOption shot{"screenshot",
                          "Save a PNG of the window: when the search ends with --exit-when-done, "
                          "else shortly after start-up (then quit).",
                          "FILE"};
  QCommandLineOption midShot{"mid-screenshot",
                             "Save a PNG of the window when half the trials are done.", "FILE"};
  QCommandLineOption dialogShot{"dialog-screenshot",
                                "With --exit-when-done and --select-front: open the export "
                                "dialog for the selection and save a PNG of it.",
                                "FILE"};
  QCommandLineOption log{"log",
                         "Show this run log (and continue it with Start); given several times, "
                         "compare them as --compare does.",
                         "RUN.jsonl"};
  QCommandLineOption compare{
      "compare",
      "Compare runs of one model on one chart (give it for each run: a run log, or a study "
      "written NAME@postgresql://HOST/DB).",
      "RUN"};
  QCommandLineOption select{"select-front",
                            "When the search ends, select the recommended picks (knee, "
                            "smallest, fastest; for screenshots of the details)."};

  QCommandLineOption selectIds{"select",
                               "With --log and --screenshot: select these trials first (ids, "
                               "comma-separated).",
                               "IDS"};
  QCommandLineOption pickAgain{"pick-again",
                               "With --log: pick the front again over the recovered points "
                               "(View > Pick again)."};
  QCommandLineOption brush{"brush",
                           "Before --screenshot: brush a range on an axis of the parallel-"
                           "coordinates view (metric, params, flops, latency, size; give it once "
                           "per axis) and show that view.",
                           "AXIS=LO:HI"};

  void addTo(QCommandLineParser& cli) const {
    for (const auto& o : {model, data, validation, demo, trials, start, exit, shot, select, log,
                          compare, midShot, dialogShot, selectIds, pickAgain, brush})
      cli.addOption(o);
  }
  ppui::ScreenshotHarness::Options harness(const QCommandLineParser& cli) const {
    return {cli.isSet(start),     cli.isSet(exit),      cli.isSet(select),
            cli.value(shot),      cli.value(midShot),   cli.value(dialogShot),
            cli.value(selectIds), cli.isSet(pickAgain), cli.values(brush)};
  }
};

// The window filled as the command line asks; 0, or the exit code of a failure.
int fillWindow(ppui::MainWindow& w, const QCommandLineParser& cli, const Options& o) {
  if (cli.isSet(o.demo)) {
    const QString d = demoDir();
    if (d.isEmpty()) {
      std::fprintf(stderr,
                   "paretoprune: the demo files were not found (set PARETOPRUNE_DEMO_DIR)\n");
      return 1;
    }
    w.openModel(d + "/model");
    w.setDataFiles(d + "/sentiment-train.tsv", d + "/sentiment-validation.tsv");
  }
  if (cli.isSet(o.model)) w.openModel(cli.value(o.model));
  if (cli.isSet(o.data)) w.setDataFiles(cli.value(o.data), cli.value(o.validation));
  // One --log is shown; several are compared on one chart, as --compare does.
  const QStringList logs = cli.values(o.log);
  QStringList compared = cli.values(o.compare);
  if (logs.size() > 1) {
    std::fprintf(stderr, "paretoprune: %d run logs given with --log: comparing them\n",
                 static_cast<int>(logs.size()));
    compared = logs + compared;
  } else if (logs.size() == 1) {
    QString error;
    if (!w.showRunLog(logs.front(), &error)) {
      std::fprintf(stderr, "paretoprune: %s\n", error.toUtf8().constData());
      const bool unattended = cli.isSet(o.shot) || cli.isSet(o.start) || cli.isSet(o.exit);
      if (unattended) return 1;
      // As File > Open run log: the reason in a dialog, and for a damaged
      // log the question whether to show the rest (once the window is up).
      const QString log = logs.front();
      QTimer::singleShot(0, &w, [&w, log] { w.openRunLog(log); });
    }
  }
  QString error;
  if (!compared.isEmpty() && !w.compareRuns(compared, &error)) {
    std::fprintf(stderr, "paretoprune: %s\n", error.toUtf8().constData());
    if (cli.isSet(o.shot)) return 1;
  }
  if (cli.isSet(o.trials)) w.setTrials(cli.value(o.trials).toInt());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // --version needs no display.
  if (hasArgument(argc, argv, {"--version", "-v"})) {
    std::printf("ParetoPrune %s (LibTorch %s, Qt %s)\n", PARETOPRUNE_VERSION,
                pp::torchVersion().c_str(), qVersion());
    return 0;
  }
  QCommandLineParser cli;
  cli.setApplicationDescription(
      "ParetoPrune: structural pruning of encoder classifiers and taggers guided by a Pareto "
      "front");
  cli.addHelpOption();
  cli.addVersionOption();
  const Options options;
  options.addTo(cli);
  // --help needs no display either: answer it before the GUI application
  // (and its platform plugin) starts.
  if (hasArgument(argc, argv, {"--help", "-h", "--help-all"})) {
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
  if (const int code = fillWindow(w, cli, options)) return code;
  ppui::ScreenshotHarness harness(w, options.harness(cli));
  QObject::connect(&harness, &ppui::ScreenshotHarness::done, &app,
                   [](int code) { QApplication::exit(code); });
  harness.begin();
  return QApplication::exec();
}
