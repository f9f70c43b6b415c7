// The evaluation's thread team: a fixed set of threads that, with the
// calling thread, run the parts of one forward pass (cpu_forward.cpp). One
// pool for everything: LibTorch and OpenBLAS run single-threaded inside it
// (useComputeThreads), so no second pool competes for the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace pp {

// Threads in the team, the caller included (1: no team, tasks run on the
// caller). Waits for a running job to finish before resizing.
void setTeamThreads(int threads);
int teamThreads();

// Runs fn(i) for every i in [0, n), the calling thread taking part;
// returns when all are done and rethrows the first exception a task
// threw. While the team runs another caller's job (another worker, or a
// task asking from inside the team), the caller runs its tasks itself.
void runOnTeam(int64_t n, const std::function<void(int64_t)>& fn);

}  // namespace pp
