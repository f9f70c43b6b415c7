// paretoprune: the desktop application.
#include <QApplication>

#include "ui/mainwindow.h"
#include "version.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("ParetoPrune");
  QApplication::setOrganizationName("ParetoPrune");
  QApplication::setApplicationVersion(PARETOPRUNE_VERSION);
  ppui::MainWindow w;
  w.show();
  return QApplication::exec();
}
