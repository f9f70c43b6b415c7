// The evaluation's thread teams: each thread that evaluates (each search
// worker) gets its own helpers, started on its first job, which with it run
// the parts of one forward pass (cpu_forward.cpp). One set of threads for
// everything: LibTorch and OpenBLAS run single-threaded inside it
// (useComputeThreads), so no second pool competes for the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace pp {

// Threads in each team, the caller included (1: no team, tasks run on the
// caller). Teams take the new size at their next job.
void setTeamThreads(int threads);
int teamThreads();

// Runs fn(i) for every i in [0, n), the calling thread taking part;
// returns when all are done and rethrows the first exception a task
// threw. From inside a task (on a team thread) the tasks run on the
// calling thread.
void runOnTeam(int64_t n, const std::function<void(int64_t)>& fn);

}  // namespace pp
