// RecoverActions: recovery in the window. "Recover..." on the selected
// points (Search menu, toolbar, the chart's and the table's context menus;
// disabled with the reason in its tooltip) opens RecoverDialog, then runs
// pp::runRecovery as a BackgroundTask with its progress and a Cancel button
// in the status bar; core appends the records to the run log as the CLI's
// `recover` does. It shows the run's recovered trials on the chart (arrows),
// in the table (the Recovered column) and, through View > Pick again, the
// front picked again over them (pp::pickAgain).
#pragma once
#include <QObject>
#include <QString>

#include <cstdint>
#include <vector>

#include "paretoprune/train/recover.h"
#include "ui/background_task.h"
#include "ui/recover_dialog.h"

class QAction;
class QMenu;
class QProgressBar;
class QPushButton;
class QToolBar;

namespace ppui {

class MainWindow;

class RecoverActions : public QObject {
  Q_OBJECT
 public:
  explicit RecoverActions(MainWindow* window);
  ~RecoverActions() override;
  // Puts Recover... in `menu`, `bar` and the chart's and table's context
  // menus, and Pick again in `view`.
  void install(QMenu* menu, QToolBar* bar, QMenu* view);
  QAction* recoverAction() const { return recover_; }
  QAction* pickAgainAction() const { return pickAgain_; }
  // Why Recover... cannot run now (no run log, a search running, nothing
  // selected...); empty when it can. Also its tooltip.
  QString whyNot() const;
  void refresh();  // the actions' state after the selection or the run changed

  // Recovers the selected trials with `s` in the background; false with the
  // reason (shown in the status line).
  bool start(const RecoverSettings& s);
  void cancel();  // the pick in progress checkpoints; the same folder resumes it
  bool running() const { return task_.running(); }
  const QString& lastMessage() const { return message_; }

 Q_SIGNALS:
  void status(const QString& text);  // for the status line
  void finished(bool ok, const QString& message);
  // Pick again was turned on or off, or its front changed: the table's
  // Pareto filter follows it; the picks should be computed again.
  void pickedAgain();

 private:
  void openDialog();
  void showProgress(const pp::RecoverProgress& p);
  void onFinished(const QString& error, const pp::RecoverReport& report, const QString& out);
  void showRecovered();  // the run controller's recovered trials on chart and table
  void updatePickAgain();

  MainWindow* w_;
  QAction* recover_;
  QAction* pickAgain_;
  QProgressBar* bar_;
  QPushButton* cancel_;
  bool tableFollows_ = false;  // the table's front is the one picked again
  QString message_;
  BackgroundTask task_{this};
};

}  // namespace ppui
