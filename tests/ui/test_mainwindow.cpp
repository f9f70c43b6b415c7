// The main window (offscreen): opening a good model shows its summary, a
// broken one shows the loader's error instead of crashing.
#include <QLabel>
#include <QtTest>

#include "paretoprune/model.h"
#include "testutil.h"
#include "ui/mainwindow.h"

class TestMainWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void opensGoodAndBrokenModels() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString() + "/tiny";
    pp::writeRandomModel(dir, {});
    ppui::MainWindow w;
    w.show();
    QVERIFY(w.openModel(QString::fromStdString(dir)));
    auto* label = qobject_cast<QLabel*>(w.centralWidget());
    QVERIFY(label);
    QVERIFY(label->text().contains("parameters"));
    testutil::writeText(dir + "/config.json", "{broken");
    QVERIFY(!w.openModel(QString::fromStdString(dir)));
    QVERIFY(label->text().contains("not valid JSON"));
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
