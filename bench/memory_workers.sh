#!/usr/bin/env bash
# Peak resident memory of a demo search with 1 and with 2 workers, each in a
# fresh process (GNU time's "Maximum resident set size"), and their ratio.
#   bench/memory_workers.sh [BUILD_DIR] [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${1:-build}/app/paretoprune-cli
TRIALS=${2:-60}
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
D=resources/demo
declare -A rss
for w in 1 2; do
  rss[$w]=$(/usr/bin/time -v "$CLI" search "$D/model" --data "$D/sentiment-validation.tsv" --val-split 0 \
    --trials "$TRIALS" --workers "$w" --latency-runs 0 --max-length 64 2>&1 >/dev/null |
    awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
done
awk -v a="${rss[1]}" -v b="${rss[2]}" 'BEGIN {
  printf "%-8s %16s\n", "workers", "peak RSS MiB"
  printf "%-8s %16.1f\n%-8s %16.1f\n", 1, a / 1024, 2, b / 1024
  printf "ratio 2/1: %.2f (target: at most 1.3)\n", b / a }'
