#!/usr/bin/env bash
# The demo, on an already built tree (./run.sh builds first): the demo model
# (resources/demo/model, a small BERT trained by ParetoPrune itself, see
# README) on the UCI sentiment sentences. With a display it opens the window;
# without one it runs the same demo headless and writes a report.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=build/app/paretoprune-cli
D=resources/demo
MODEL=$D/model
OUT=out/demo
TRIALS=${PP_DEMO_TRIALS:-100}
mkdir -p "$OUT"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${PP_HEADLESS:-0}" != 1 ]; then
  echo "Starting the ParetoPrune window on the demo model..."
  exec build/app/paretoprune --demo "$@"
fi
DATA=(--data "$D/sentiment-train.tsv" --validation "$D/sentiment-validation.tsv" --max-length 64)
echo "No display: running the demo headless."
{
  echo "== the demo model (4 layers, hidden 256, 4 heads, 512 units; trained by ParetoPrune, not pretrained)"
  "$CLI" info "$MODEL"
  echo
  echo "== baselines on the same validation split"
  "$CLI" baseline "$MODEL" "${DATA[@]}"
  echo
  echo "== full model on the 600 validation sentences"
  "$CLI" eval "$MODEL" "${DATA[@]}" --latency-length 64
  echo
  echo "== search: $TRIALS sub-networks, NSGA-II, the recipe's space (layers, heads per layer, units)"
} | tee "$OUT/report.txt"
rm -f "$OUT/run.jsonl"
"$CLI" search "$MODEL" "${DATA[@]}" --trials "$TRIALS" --strategy nsga2 --space seed --seed 1 \
  --latency-length 64 --log "$OUT/run.jsonl" | tee -a "$OUT/report.txt"
"$CLI" front "$OUT/run.jsonl" --csv >"$OUT/front.csv"
# Deciding: a deployment's limits (at most 60% of the parameters, at most
# one accuracy point lost), the feasible front and the recommended picks,
# and the whole run as one HTML file.
LIMITS=(--constraint 'params_share<=0.6' --constraint 'accuracy_drop<=1')
{
  echo
  echo "== the feasible front under ${LIMITS[1]} and ${LIMITS[3]}, and the recommended picks"
  "$CLI" front "$OUT/run.jsonl" "${LIMITS[@]}" --recommend
} | tee -a "$OUT/report.txt"
"$CLI" report "$OUT/run.jsonl" "${LIMITS[@]}" --out "$OUT/report.html" --force
# The window's chart of this run, rendered without a display.
if [ -x build/app/paretoprune ]; then
  QT_QPA_PLATFORM=offscreen build/app/paretoprune --log "$OUT/run.jsonl" --screenshot "$OUT/chart.png" \
    >/dev/null 2>&1 || echo "warning: could not render $OUT/chart.png" >&2
fi
{
  echo
  echo "== export: the smallest sub-network within 1 point of the full model's accuracy"
  "$CLI" export "$MODEL" --log "$OUT/run.jsonl" --within 1 --out "$OUT/picked" --format hf-any --force \
    --data "$D/sentiment-validation.tsv"
} 2>&1 | tee -a "$OUT/report.txt"
echo
echo "Report: $OUT/report.txt and $OUT/report.html (open it in a browser); chart: $OUT/chart.png; run log: $OUT/run.jsonl; Pareto set as CSV: $OUT/front.csv;"
echo "exported model: $OUT/picked (loads in transformers 4.x and 5.x)"
