#include "base/compute_team.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
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

// The configured team size (setTeamThreads), for every caller's team.
std::atomic<int> gTeamSize{1};

// True on a thread while it runs team tasks (a helper, or a caller inside
// run()): a runOnTeam from there runs its tasks itself.
thread_local bool tInsideTeam = false;

// One caller thread's helpers. Only its owner thread uses it: each search
// worker (each thread that evaluates) has its own team, the cores shared
// among them by the configured size.
class Team {
 public:
  ~Team() { stopHelpers(); }

  void run(int64_t n, const std::function<void(int64_t)>& fn) {
    const int want = gTeamSize.load(std::memory_order_relaxed);
    if (::getpid() != owner_) {
      // A forked child: the helpers stayed in the parent; their handles
      // are left alone (joining them would wait forever).
      static_cast<void>(new std::vector<std::thread>(std::move(helpers_)));
      helpers_.clear();
      owner_ = ::getpid();
    }
    if (want != static_cast<int>(helpers_.size()) + 1) resize(want);
    if (n == 1 || helpers_.empty()) {
      for (int64_t i = 0; i < n; ++i) fn(i);
      return;
    }
    fn_ = &fn;
    n_ = n;
    next_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    pending_.store(static_cast<int>(helpers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    tInsideTeam = true;
    work();
    tInsideTeam = false;
    if (!spinFor([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void resize(int threads) {
    stopHelpers();
    // Each helper starts from the current generation: a job started
    // before it first looks must still be its news.
    const uint64_t now = generation_.load();
    try {
      for (int i = 1; i < threads; ++i) helpers_.emplace_back([this, now] { helperLoop(now); });
    } catch (const std::system_error&) {
      // No more threads to be had: the team is the helpers that started.
    }
  }

  void stopHelpers() {
    if (helpers_.empty()) return;
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : helpers_) t.join();
    helpers_.clear();
    stop_ = false;
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

  void helperLoop(uint64_t seen) {
    tInsideTeam = true;
    for (;;) {
      auto news = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spinFor([&] { return news() || stopRequested(); })) {
        std::unique_lock<std::mutex> lk(m_);
        wake_.wait(lk, [&] { return stop_ || news(); });
      }
      if (stopRequested()) return;
      seen = generation_.load(std::memory_order_acquire);
      work();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(m_);
        done_.notify_one();
      }
    }
  }

  bool stopRequested() const { return stop_.load(std::memory_order_acquire); }

  std::vector<std::thread> helpers_;
  pid_t owner_ = ::getpid();
  std::mutex m_;
  std::condition_variable wake_, done_;
  std::atomic<bool> stop_{false};  // written under m_ (the helpers' wait)
  std::atomic<uint64_t> generation_{0};
  // The running job (written by the owner before generation_ moves on).
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> pending_{0};
  std::mutex errorMutex_;
  std::exception_ptr error_;
};

}  // namespace

void setTeamThreads(int threads) {
  gTeamSize.store(threads < 1 ? 1 : threads);
}

int teamThreads() {
  return gTeamSize.load();
}

void runOnTeam(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (tInsideTeam || gTeamSize.load(std::memory_order_relaxed) <= 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  thread_local Team team;
  team.run(n, fn);
}

}  // namespace pp
