#!/usr/bin/env bash
# The demo, on an already built tree (./run.sh builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=build/app/paretoprune-cli
OUT=out/demo
mkdir -p "$OUT"
if [ ! -d "$OUT/tiny" ]; then
  "$CLI" make-tiny "$OUT/tiny" --layers 4 --hidden 64 --heads 4 --intermediate 128 --seed 1 >/dev/null
fi
# A small labelled set in the demo's format (the real demo data set ships in resources/).
printf 'sentence\tlabel\n' >"$OUT/data.tsv"
for i in $(seq 1 40); do
  printf 'the food was good %s\tpositive\nthe service was bad %s\tnegative\n' "$i" "$i" >>"$OUT/data.tsv"
done
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "Starting the ParetoPrune window..."
  exec build/app/paretoprune "$@"
fi
echo "No display: running the demo headless."
echo "== paretoprune-cli info"
"$CLI" info "$OUT/tiny"
echo
echo "== full model (a random-initialised tiny BERT: its accuracy is chance level)"
"$CLI" eval "$OUT/tiny" --data "$OUT/data.tsv" --latency-length 32 | tee "$OUT/report.txt"
echo
echo "== sub-network: 2 layers, 2 heads, 32 units"
"$CLI" eval "$OUT/tiny" --data "$OUT/data.tsv" --latency-length 32 \
  --subnet '{"num_layers":2,"num_heads":2,"num_units":32}' | tee -a "$OUT/report.txt"
echo
echo "== search: 60 trials, NSGA-II, per-layer space"
rm -f "$OUT/run.jsonl"
"$CLI" search "$OUT/tiny" --data "$OUT/data.tsv" --trials 60 --strategy nsga2 --space per-layer \
  --latency-length 32 --log "$OUT/run.jsonl" | tee -a "$OUT/report.txt"
"$CLI" front "$OUT/run.jsonl" --csv >"$OUT/front.csv"
echo
echo "Report: $OUT/report.txt; run log: $OUT/run.jsonl; Pareto set as CSV: $OUT/front.csv"
