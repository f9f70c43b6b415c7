#!/usr/bin/env bash
# Installs what is missing, builds, and starts ParetoPrune on the demo.
# With a display: the desktop window. Without one: the same demo headless,
# writing its report under out/demo/.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
BUILD_DIR=build scripts/build.sh
exec scripts/demo.sh "$@"
