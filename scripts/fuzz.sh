#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for a
# few seconds from its seed corpus (tests/fuzz/corpus/<target>/), as ctest
# tests. Without clang it says so and does nothing (the gcc build is not
# touched either way).
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 6: a minute in all)
# A crash leaves its input in build-fuzz/tests/fuzz/work/<target>/artifacts/:
# fix it, then keep the input in tests/fuzz/corpus/<target>/ as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-6}
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (Debian: apt-get install clang); the fuzz targets are skipped" >&2
  exit 0
fi
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S . -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Debug -DPARETOPRUNE_FUZZ=ON \
    -DPARETOPRUNE_CORE_ONLY=ON -DPARETOPRUNE_BUILD_TESTS=OFF -DPARETOPRUNE_BUILD_BENCH=OFF \
    -DPP_FUZZ_SECONDS="$SECONDS_EACH"
else
  cmake -S . -B "$BUILD_DIR" -DPP_FUZZ_SECONDS="$SECONDS_EACH"
fi
TARGETS=$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target $TARGETS
ctest --test-dir "$BUILD_DIR" --output-on-failure -L fuzz -j "$(nproc)"
