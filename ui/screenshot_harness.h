// ScreenshotHarness: what --start, --exit-when-done, --select-front and the screenshot options
// do: start the search, wait for the run controller's end of it, save PNGs, say when to quit.
#pragma once
#include <QObject>
#include <QString>

#include "paretoprune/search/search_runner.h"

namespace ppui {

class MainWindow;

class ScreenshotHarness : public QObject {
  Q_OBJECT
 public:
  struct Options {
    bool start = false;         // start the search at once
    bool exitWhenDone = false;  // start it, and quit when it ends (after the screenshots)
    bool selectFront = false;   // when it ends, select Pareto points
    QString screenshot;         // the window when the search ends, else shortly after start-up
    QString midScreenshot;      // the window when half the trials are done
    QString dialogScreenshot;   // the export dialog of the selection, when the search ends
    QString select;             // a shown log's trials to select (comma-separated ids)
    bool pickAgain = false;     // View > Pick again over recovered points
    // Ranges brushed in the parallel-coordinates view before a screenshot,
    // "AXIS=LO:HI" (metric, params, flops, latency, size); its tab is shown.
    QStringList brushes;
  };
  ScreenshotHarness(MainWindow& window, const Options& options);

  // Starts the search (from the event loop), or schedules the screenshot.
  void begin();

 Q_SIGNALS:
  void done(int exitCode);  // the program may quit

 private:
  void start();
  void onProgress(const pp::SearchProgress& p);
  void onSearchEnded(const QString& reason);
  void selectFront();
  void applyView();  // --select, --pick-again
  void shootDialog();
  void finish(const QString& outcome, bool failed);
  bool applyBrushes();  // false with one line on stderr for a bad one

  MainWindow& w_;
  Options o_;
  bool midTaken_ = false;
  // How long the window is left to repaint before a screenshot.
  static constexpr int kSettleMs = 600, kMidSettleMs = 200, kDialogSettleMs = 300;
};

}  // namespace ppui
