// Internal: the BLAS's thread count, for the packing policy (cpu/forward.h).
#pragma once

namespace pp {

// OpenBLAS's threads now (LibTorch's intra-op threads where the BLAS is
// not OpenBLAS).
int blasThreads();

}  // namespace pp
