// The CPU thread policy: how many threads LibTorch, OpenBLAS and the
// evaluation team use, and what the machine offers.
#pragma once
#include <string>

namespace pp {

// Sets LibTorch's intra-op threads and OpenBLAS's threads deliberately.
// blasThreads <= 0 leaves OpenBLAS as it is. (The evaluation team stays
// as it is: see useComputeThreads.)
void setComputeThreads(int torchThreads, int blasThreads);

// How `threads` CPU threads are put to work (docs/performance.md).
// Evaluation: the forward pass runs on a team of `threads` threads, each
// with LibTorch and OpenBLAS at one thread (one pool busy, not two
// competing). Training (autograd): one LibTorch thread, OpenBLAS on
// `threads` threads, no team.
enum class ComputeUse { Evaluation, Training };
void useComputeThreads(ComputeUse use, int threads);
int hardwareThreads();
std::string torchVersion();
// OpenBLAS's kernel set for the matrix products ("Haswell", ...), with
// " (chosen by ParetoPrune)" where we corrected OpenBLAS's own choice
// (blas_core.cpp: AMD Zen 4); "" where the BLAS is not a runtime-dispatching
// OpenBLAS.
std::string blasCoreName();

}  // namespace pp
