// BackgroundTask: the window's one way to run work off the UI thread: on ui's thread pool, with
// a stop flag; results, progress and errors (never exceptions) reach the UI thread.
#pragma once
#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>

namespace ppui {

// A task holds a pool thread while its work runs (the pool has one for
// every task the window may run at once, so a long one never holds up
// another). An exception the work throws is caught and handed back as a
// message; results and progress reach the UI thread through post(), in the
// owner's context, so nothing is delivered to an owner that is gone. The
// destructor asks the work to stop and waits for it, so work may use what
// its owner owns.
class BackgroundTask {
 public:
  explicit BackgroundTask(QObject* owner) : owner_(owner) {}
  ~BackgroundTask() { wait(); }
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;

  // Runs work() on a pool thread, then finished(error) on the UI thread
  // (error empty when work returned). False if a task is still running.
  bool start(std::function<void()> work, std::function<void(const QString& error)> finished);
  bool running() const { return running_.load(); }
  void requestStop() { stop_.store(true); }
  // For the work to poll; also a pointer for core functions that take one.
  bool stopRequested() const { return stop_.load(); }
  const std::atomic<bool>* stopFlag() const { return &stop_; }
  // Runs fn on the UI thread, in the owner's context (dropped if it is gone).
  void post(std::function<void()> fn) const;
  // Asks the work to stop and waits for it (tests, shutdown).
  void wait();
  // Waits for the work to return, without asking it to stop.
  void join();

 private:
  QPointer<QObject> owner_;
  QFuture<void> work_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
};

}  // namespace ppui
