// SearchActions: Start, Pause/Resume and Stop, always in reach: in the
// Search menu and on a toolbar above the window, with shortcuts (F5,
// F6, Shift+F5), whatever the set-up panel's scroll position.
#pragma once
#include <QObject>

class QAction;
class QMainWindow;
class QMenu;
class QToolBar;

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
  QMenu* menu() const { return menu_; }  // the Search menu, for other run actions
  QToolBar* toolBar() const { return bar_; }

 private:
  QAction* start_;
  QAction* pause_;
  QAction* stop_;
  QMenu* menu_;
  QToolBar* bar_;
};

}  // namespace ppui
