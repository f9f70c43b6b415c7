// paretoprune: the desktop application.
#include <QApplication>
#include <cstdio>
#include <QCommandLineParser>
#include <QTimer>

#include "paretoprune/model.h"
#include "ui/mainwindow.h"
#include "version.h"

int main(int argc, char** argv) {
  // --version needs no display.
  for (int i = 1; i < argc; ++i)
    if (QByteArray(argv[i]) == "--version" || QByteArray(argv[i]) == "-v") {
      std::printf("ParetoPrune %s (LibTorch %s, Qt %s)\n", PARETOPRUNE_VERSION, pp::torchVersion().c_str(), qVersion());
      return 0;
    }
  QApplication app(argc, argv);
  QApplication::setApplicationName("ParetoPrune");
  QApplication::setOrganizationName("ParetoPrune");
  QApplication::setApplicationVersion(QString("%1 (LibTorch %2, Qt %3)")
                                          .arg(PARETOPRUNE_VERSION, QString::fromStdString(pp::torchVersion()),
                                               qVersion()));
  QCommandLineParser cli;
  cli.setApplicationDescription("ParetoPrune: structural pruning of BERT classifiers guided by a Pareto front");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption modelOpt("model", "Open this model directory at start.", "DIR");
  QCommandLineOption shotOpt("screenshot", "Save a PNG of the window after start-up, then exit.", "FILE");
  cli.addOption(modelOpt);
  cli.addOption(shotOpt);
  cli.process(app);

  ppui::MainWindow w;
  w.show();
  if (cli.isSet(modelOpt)) w.openModel(cli.value(modelOpt));
  if (cli.isSet(shotOpt)) {
    const QString file = cli.value(shotOpt);
    QTimer::singleShot(500, &w, [&w, file] {
      const bool ok = w.grab().save(file);
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return QApplication::exec();
}
