#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest, then
# each fuzz target briefly (scripts/fuzz.sh, clang).
#   ./test.sh              the Release build (build/), warnings as errors
#   ./test.sh --sanitize   the same code built with AddressSanitizer and
#                          UndefinedBehaviorSanitizer (build-asan/: -O1, line
#                          tables, NDEBUG, warnings as errors) and every test
#                          run under them; what CI runs (.ci/run)
set -euo pipefail
cd "$(dirname "$0")"
SANITIZE=0
for a in "$@"; do
  case "$a" in
    --sanitize) SANITIZE=1 ;;
    *) echo "usage: ./test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh build
BUILD=build
ARGS=(-DPARETOPRUNE_WERROR=ON)
if [ "$SANITIZE" = 1 ]; then
  BUILD=build-asan
  ARGS+=(-DPARETOPRUNE_SANITIZE=ON)
  # ASAN_OPTIONS, UBSAN_OPTIONS and the test time limit: one home for both scripts.
  # shellcheck source=scripts/sanitizer-env.sh
  . scripts/sanitizer-env.sh
fi
# What only the tests need (PostgreSQL, Chromium, clang for the fuzz
# targets, Node.js with ONNX Runtime and transformers.js for test_onnx) comes
# in while the build runs: a fresh machine waits for the downloads once.
mkdir -p "$BUILD"
DEPS_LOG="$BUILD/install-test-deps.log"
(scripts/install-deps.sh test && scripts/install-node-deps.sh "$BUILD") >"$DEPS_LOG" 2>&1 &
DEPS_PID=$!
if ! BUILD_DIR=$BUILD scripts/build.sh "${ARGS[@]}"; then
  wait "$DEPS_PID" || true
  exit 1
fi
if ! wait "$DEPS_PID"; then
  cat "$DEPS_LOG" >&2
  echo "error: installing what the tests need failed (above; $DEPS_LOG)" >&2
  exit 1
fi
cat "$DEPS_LOG"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"
scripts/fuzz.sh  # a few seconds per reader, from tests/fuzz/corpus
