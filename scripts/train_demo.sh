#!/usr/bin/env bash
# Reproduces the demo model in resources/demo/model from scratch:
#   scripts/train_demo.sh [OUT_DIR]
# The test suite runs the same recipe on a tiny architecture for one epoch
# per stage on a quarter of the training data (PP_DEMO_SHORT=1) to check
# that it keeps working.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/app/paretoprune-cli}
OUT=${1:-out/demo-train}
D=resources/demo
DATA=(--data "$D/sentiment-train.tsv" --validation "$D/sentiment-validation.tsv" --max-length 64)
if [ "${PP_DEMO_SHORT:-0}" = 1 ]; then
  ARCH=(--layers 2 --hidden 32 --heads 4 --intermediate 64)
  EPOCHS_STD=1 EPOCHS_SW=1
  DATA+=(--limit 600)
else
  ARCH=(--layers 4 --hidden 256 --heads 4 --intermediate 512)
  EPOCHS_STD=3 EPOCHS_SW=3
fi
rm -rf "$OUT"
mkdir -p "$OUT"
# 1. A randomly initialised BERT over the demo vocabulary (no pre-training).
"$CLI" make-tiny "$OUT/init" "${ARCH[@]}" --max-positions 128 --vocab "$D/vocab.txt" --seed 1
# 2. Ordinary fine-tuning of the full model.
"$CLI" train "$OUT/init" "${DATA[@]}" --out "$OUT/standard" --strategy standard \
  --epochs "$EPOCHS_STD" --lr 5e-4 --seed 1 --no-checkpoints
# 3. Heads and units ordered by importance, then 4. super-network training:
#    sandwich steps (full model, smallest and 2 random sub-networks of the
#    seed space, distilled from the full model).
"$CLI" train "$OUT/standard" "${DATA[@]}" --out "$OUT/model" --strategy sandwich --reorder \
  --epochs "$EPOCHS_SW" --lr 2e-4 --seed 2 --random-subnets 2 --no-checkpoints
echo "demo model: $OUT/model"
