#!/usr/bin/env bash
# Configures and builds ParetoPrune (Release, Ninja if present) into $BUILD_DIR.
#   scripts/build.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
# ccache and precompiled headers get along with these.
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif [ $# -gt 0 ]; then
  cmake -S . -B "$BUILD_DIR" "$@"
fi
# Torch translation units need ~1.5 GB each; two jobs fit any machine we target.
JOBS=${JOBS:-$(nproc)}
cmake --build "$BUILD_DIR" -j "$JOBS"
