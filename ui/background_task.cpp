#include "ui/background_task.h"

#include <QMetaObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace ppui {

namespace {
// ui's threads. A task holds its thread while it runs (a search runs for
// hours), so the pool is sized for every task the window may run at once
// (search, study poll, data check, latency, export, training) with room to
// spare: none waits behind another. Idle threads end after the pool's expiry.
QThreadPool& pool() {
  static QThreadPool p;
  static const bool sized = [] {
    p.setMaxThreadCount(32);
    return true;
  }();
  static_cast<void>(sized);
  return p;
}
}  // namespace

void BackgroundTask::post(std::function<void()> fn) const {
  QObject* owner = owner_.data();
  if (owner) QMetaObject::invokeMethod(owner, std::move(fn), Qt::QueuedConnection);
}

bool BackgroundTask::start(std::function<void()> work,
                           std::function<void(const QString&)> finished) {
  if (running_.load()) return false;
  join();
  stop_.store(false);
  running_.store(true);
  work_ =
      QtConcurrent::run(&pool(), [this, work = std::move(work), finished = std::move(finished)] {
        QString error;
        try {
          work();
        } catch (const std::exception& e) {
          error = QString::fromStdString(e.what());
          if (error.isEmpty()) error = QObject::tr("unknown error");
        } catch (...) {
          error = QObject::tr("unknown error");
        }
        // No exception crosses into the UI thread: the message does.
        post([this, finished, error] {
          running_.store(false);
          if (finished) finished(error);
        });
        if (!owner_) running_.store(false);
      });
  return true;
}

void BackgroundTask::join() {
  work_.waitForFinished();
}

void BackgroundTask::wait() {
  stop_.store(true);
  join();
  running_.store(false);
}

}  // namespace ppui
