#include "ui/search_actions.h"

#include <QAction>
#include <QMainWindow>
#include <QMenuBar>
#include <QStyle>
#include <QToolBar>

namespace ppui {

SearchActions::SearchActions(QMainWindow* window) : QObject(window) {
  QStyle* style = window->style();
  start_ = new QAction(style->standardIcon(QStyle::SP_MediaPlay), tr("&Start search"), this);
  start_->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_Return)});
  start_->setToolTip(tr("Start the search set up on the left (F5)"));
  pause_ = new QAction(style->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
  pause_->setShortcut(QKeySequence(Qt::Key_F6));
  stop_ = new QAction(style->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this);
  stop_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
  stop_->setToolTip(tr("Stop after the trials in flight; every finished trial is kept (Shift+F5)"));
  for (QAction* a : {start_, pause_, stop_}) a->setObjectName(a->text().remove('&'));

  QMenu* menu = menu_ = window->menuBar()->addMenu(tr("&Search"));
  menu->addActions({start_, pause_, stop_});
  auto* bar = bar_ = window->addToolBar(tr("Search"));
  bar->setObjectName("searchToolBar");
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->addActions({start_, pause_, stop_});
  setRunning(false, false);
}

void SearchActions::setRunning(bool running, bool paused) {
  start_->setEnabled(!running);
  pause_->setEnabled(running);
  stop_->setEnabled(running);
  pause_->setText(paused ? tr("&Resume") : tr("&Pause"));
  pause_->setToolTip(paused ? tr("Resume the search (F6)") : tr("Pause the search (F6)"));
}

}  // namespace ppui
