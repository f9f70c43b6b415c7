#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   ./test.sh              Release build with warnings as errors, all tests,
#                          then each fuzz target briefly (scripts/fuzz.sh, clang)
#   ./test.sh --sanitize   also an ASan+UBSan build of everything but the
#                          benchmarks, and its tests
set -euo pipefail
cd "$(dirname "$0")"
SANITIZE=0
for a in "$@"; do
  case "$a" in
    --sanitize) SANITIZE=1 ;;
    *) echo "usage: ./test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh
BUILD_DIR=build scripts/build.sh -DPARETOPRUNE_WERROR=ON
scripts/install-node-deps.sh build  # ONNX Runtime and transformers.js for test_onnx
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j "$(nproc)"
scripts/fuzz.sh  # a few seconds per reader, from tests/fuzz/corpus
if [ "$SANITIZE" = 1 ]; then
  # test_onnx reads the release build's node modules; test_train's deliberately
  # huge allocation must fail as it does without ASan (allocator_may_return_null).
  BUILD_DIR=build-asan scripts/build.sh -DCMAKE_BUILD_TYPE=Debug -DPARETOPRUNE_SANITIZE=ON \
    -DPARETOPRUNE_BUILD_BENCH=OFF -DPARETOPRUNE_NODE_DIR="$PWD/build/node"
  ASAN_OPTIONS=detect_leaks=0:detect_odr_violation=0:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E "test_mainwindow|package_install"
fi
