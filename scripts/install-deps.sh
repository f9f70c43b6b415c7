#!/usr/bin/env bash
# Installs the Debian packages ParetoPrune needs, only those missing.
#   scripts/install-deps.sh [all|build|test]
# build: what configuring and compiling need; test: what only the tests, the
# fuzz targets and the headless demo need (./test.sh installs these while it
# builds).
set -euo pipefail
PART=${1:-all}
BUILD_PKGS=(build-essential cmake ninja-build ccache pkg-config libssl-dev libtorch-dev libdnnl-dev libopenblas0-pthread
            python3 nlohmann-json3-dev libcli11-dev libutf8proc-dev libsentencepiece-dev libonnx-dev libprotobuf-dev
            libpq-dev qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
            clang-format)  # clang-format: found when the build is configured (the format test)
TEST_PKGS=(clang libclang-rt-dev nodejs postgresql xvfb xauth
           locales    # de_DE for the comma-decimal test (localedef's sources)
           chromium)  # chromium: the report test opens the HTML report in a real headless browser
case "$PART" in
  all) PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  build) PKGS=("${BUILD_PKGS[@]}") ;;
  test) PKGS=("${TEST_PKGS[@]}") ;;
  *) echo "usage: scripts/install-deps.sh [all|build|test]" >&2; exit 2 ;;
esac
missing=()
for p in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
# npm: Debian's package, unless a Node.js that bundles it is installed.
[ "$PART" = build ] || command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: run as root (or install: ${missing[*]})" >&2; exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
