#!/usr/bin/env bash
# Installs the JavaScript runtimes that judge the ONNX exports (onnxruntime-node,
# @huggingface/transformers, versions pinned by tests/node/package-lock.json)
# into BUILD_DIR/node. --ignore-scripts: onnxruntime-node ships its CPU
# libraries in the package; its install script would only fetch GPU extras.
#   scripts/install-node-deps.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
DEST="$BUILD_DIR/node"
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "error: node and npm are needed for the ONNX Runtime tests (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
mkdir -p "$DEST"
# Reinstall only when the pinned versions changed.
if [ -d "$DEST/node_modules" ] && cmp -s tests/node/package-lock.json "$DEST/package-lock.json"; then
  exit 0
fi
cp tests/node/package.json tests/node/package-lock.json "$DEST/"
echo "Installing onnxruntime-node and @huggingface/transformers into $DEST"
(cd "$DEST" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
