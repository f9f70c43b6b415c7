#!/usr/bin/env bash
# Installs the Debian packages ParetoPrune needs, only those missing.
set -euo pipefail
PKGS=(build-essential cmake ninja-build ccache pkg-config clang-format clang libclang-rt-dev libssl-dev libtorch-dev libdnnl-dev libopenblas0-pthread
      python3 nlohmann-json3-dev libcli11-dev libutf8proc-dev libsentencepiece-dev libonnx-dev libprotobuf-dev nodejs libpq-dev postgresql qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev xvfb xauth
      chromium)  # chromium: the report test opens the HTML report in a real headless browser
missing=()
for p in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
# npm: Debian's package, unless a Node.js that bundles it is installed.
command -v npm >/dev/null || missing+=(npm)
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
