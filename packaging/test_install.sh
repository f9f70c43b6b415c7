#!/usr/bin/env bash
# Builds the Debian package in BUILD_DIR, unpacks it into a scratch root and
# runs the installed programs from there: versions, and a short headless
# demo search on the installed demo model and data.
set -euo pipefail
BUILD_DIR=$(cd "${1:?build directory}" && pwd)
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cd "$BUILD_DIR"
cpack -G DEB -B "$SCRATCH/pkg" >/dev/null
DEB=$(ls "$SCRATCH"/pkg/paretoprune_*.deb)
echo "package: $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"
# Read the control data once: "producer | grep -q" fails under pipefail when
# grep exits on its first match and the producer dies of SIGPIPE.
INFO=$(dpkg-deb --info "$DEB")
grep -E "Depends|Package|Version" <<<"$INFO"
dpkg-deb -x "$DEB" "$SCRATCH/root"
R=$SCRATCH/root/usr
for f in bin/paretoprune bin/paretoprune-cli share/applications/paretoprune.desktop \
         share/icons/hicolor/scalable/apps/paretoprune.svg \
         share/metainfo/io.github.paretoprune.ParetoPrune.metainfo.xml \
         share/paretoprune/demo/model/model.safetensors share/paretoprune/demo/sentiment-validation.tsv; do
  [ -e "$R/$f" ] || { echo "missing in the package: /usr/$f" >&2; exit 1; }
done
grep -q "Depends:.*libtorch" <<<"$INFO" || { echo "no libtorch dependency" >&2; exit 1; }
"$R/bin/paretoprune-cli" --version
QT_QPA_PLATFORM=offscreen "$R/bin/paretoprune" --version
D=$R/share/paretoprune/demo
"$R/bin/paretoprune-cli" search "$D/model" --data "$D/sentiment-train.tsv" --validation "$D/sentiment-validation.tsv" \
  --trials 5 --val-subset 100 --latency-runs 0 --max-length 64 --log "$SCRATCH/run.jsonl"
[ "$(wc -l <"$SCRATCH/run.jsonl")" -ge 6 ] || { echo "the installed search wrote no trials" >&2; exit 1; }
echo "installed package works"
