#include "compute_team.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <unistd.h>

namespace pp {

namespace {

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long a thread spins for the next job (or for the team to finish)
// before it sleeps: the steps of one forward pass follow each other within
// microseconds, and a sleeping thread takes tens of them to wake.
constexpr auto kSpin = std::chrono::microseconds(200);

// Spins until pred() or kSpin has passed; true when pred() held.
template <class Pred>
bool spinFor(Pred&& pred) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (pred()) return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return false;
    cpuRelax();
  }
}

class Team {
 public:
  ~Team() { resize(1); }

  int size() const { return size_.load(); }

  void resize(int threads) {
    if (threads < 1) threads = 1;
    acquire();
    if (::getpid() != owner_) {
      // A forked child: the threads stayed in the parent. Their handles
      // are left alone (joining them here would wait forever).
      static_cast<void>(new std::vector<std::thread>(std::move(workers_)));
      workers_.clear();
      size_.store(1);
      owner_ = ::getpid();
    }
    if (threads != size_.load()) {
      {
        std::lock_guard<std::mutex> lk(m_);
        stop_ = true;
      }
      wake_.notify_all();
      for (auto& t : workers_) t.join();
      workers_.clear();
      stop_ = false;
      // Each thread starts from the current generation: a job started
      // before the thread first looks must still be its news.
      const uint64_t now = generation_.load();
      for (int i = 1; i < threads; ++i) workers_.emplace_back([this, now] { workerLoop(now); });
      size_.store(threads);
    }
    busy_.store(false, std::memory_order_release);
  }

  void run(int64_t n, const std::function<void(int64_t)>& fn) {
    if (n <= 0) return;
    bool expected = false;
    if (n == 1 || size_.load() <= 1 || ::getpid() != owner_ ||
        !busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      for (int64_t i = 0; i < n; ++i) fn(i);
      return;
    }
    fn_ = &fn;
    n_ = n;
    next_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    if (!spinFor([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    std::exception_ptr error = error_;
    fn_ = nullptr;
    busy_.store(false, std::memory_order_release);
    if (error) std::rethrow_exception(error);
  }

 private:
  // Waits until no job runs and holds the team.
  void acquire() {
    bool expected = false;
    while (!busy_.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
      expected = false;
      std::this_thread::yield();
    }
  }

  // Takes tasks until none are left.
  void work() {
    for (;;) {
      const int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= n_) return;
      try {
        (*fn_)(i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(errorMutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void workerLoop(uint64_t seen) {
    for (;;) {
      auto news = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spinFor(news)) {
        std::unique_lock<std::mutex> lk(m_);
        wake_.wait(lk, [&] { return stop_ || news(); });
        if (stop_) return;
      }
      seen = generation_.load(std::memory_order_acquire);
      work();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(m_);
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  pid_t owner_ = ::getpid();
  std::atomic<int> size_{1};
  std::atomic<bool> busy_{false};
  std::mutex m_;
  std::condition_variable wake_, done_;
  bool stop_ = false;
  std::atomic<uint64_t> generation_{0};
  // The running job (written by the caller before generation_ moves on).
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> pending_{0};
  std::mutex errorMutex_;
  std::exception_ptr error_;
};

Team& team() {
  static Team t;
  return t;
}

}  // namespace

void setTeamThreads(int threads) {
  team().resize(threads);
}

int teamThreads() {
  return team().size();
}

void runOnTeam(int64_t n, const std::function<void(int64_t)>& fn) {
  team().run(n, fn);
}

}  // namespace pp
