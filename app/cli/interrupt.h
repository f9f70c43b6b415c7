// Ctrl-C for long commands: while a SigintScope lives, SIGINT only raises a
// flag that the command polls, so it can stop cleanly and keep its work.
#pragma once
#include <atomic>
#include <csignal>

namespace ppcli {

inline std::atomic<bool>& interruptFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

extern "C" inline void ppcliOnSigint(int) { interruptFlag().store(true); }

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

}  // namespace ppcli
