// Internal: LibTorch work on the evaluation team (base/compute_team.h).
#pragma once
#include <ATen/ThreadLocalState.h>

#include "base/compute_team.h"

namespace pp {

// fn(i) for every i in [0, n) on the evaluation team, each call under the
// caller's thread-local LibTorch state (grad and inference mode: the
// team's threads would otherwise, say, refuse to write the caller's
// inference tensors).
template <class Fn>
void onTeam(int64_t n, Fn&& fn) {
  const at::ThreadLocalState state;
  runOnTeam(n, [&](int64_t i) {
    at::ThreadLocalStateGuard guard(state);
    fn(i);
  });
}

}  // namespace pp
