#include "ui/background_task.h"

#include <QMetaObject>

#include <exception>

namespace ppui {

void BackgroundTask::post(std::function<void()> fn) const {
  QObject* owner = owner_.data();
  if (owner) QMetaObject::invokeMethod(owner, std::move(fn), Qt::QueuedConnection);
}

bool BackgroundTask::start(std::function<void()> work,
                           std::function<void(const QString&)> finished) {
  if (running_.load()) return false;
  if (thread_.joinable()) thread_.join();
  stop_.store(false);
  running_.store(true);
  thread_ = std::thread([this, work = std::move(work), finished = std::move(finished)] {
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

void BackgroundTask::wait() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  running_.store(false);
}

}  // namespace ppui
