// SearchActions: Start, Pause/Resume and Stop, always in reach: in the
// Search menu and on a toolbar above the window, with shortcuts (F5,
// F6, Shift+F5), whatever the set-up panel's scroll position.
#pragma once
#include <QObject>

class QAction;
class QMainWindow;

namespace ppui {

class SearchActions : public QObject {
  Q_OBJECT
 public:
  // Adds the Search menu to `window`'s menu bar and the toolbar.
  explicit SearchActions(QMainWindow* window);
  void setRunning(bool running, bool paused);
  QAction* start() const { return start_; }
  QAction* pause() const { return pause_; }
  QAction* stop() const { return stop_; }

 private:
  QAction* start_;
  QAction* pause_;
  QAction* stop_;
};

}  // namespace ppui
