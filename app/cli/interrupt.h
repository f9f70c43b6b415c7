// Ctrl-C for long commands: while a SigintScope lives, SIGINT only raises a
// flag that the command polls, so it can stop cleanly and keep its work.
#pragma once
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace ppcli {

inline std::atomic<bool>& interruptFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

extern "C" inline void ppcliOnSigint(int) {
  interruptFlag().store(true);
}

class SigintScope {
 public:
  SigintScope() : prev_(std::signal(SIGINT, ppcliOnSigint)) { interruptFlag().store(false); }
  ~SigintScope() { std::signal(SIGINT, prev_); }
  SigintScope(const SigintScope&) = delete;
  SigintScope& operator=(const SigintScope&) = delete;
  static bool interrupted() { return interruptFlag().load(); }

 private:
  void (*prev_)(int);
};

// Runs `run`, calling `cancel` (once) when Ctrl-C is pressed meanwhile.
template <class Run, class Cancel>
void untilInterrupted(Run&& run, Cancel&& cancel) {
  SigintScope sigint;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (SigintScope::interrupted()) {
        cancel();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  try {
    run();
  } catch (...) {
    done = true;
    watcher.join();
    throw;
  }
  done = true;
  watcher.join();
}

}  // namespace ppcli
