#!/usr/bin/env bash
# How tests/fuzz/corpus was made (run it only to start the seeds afresh; the
# crash-* files there are regression cases found by fuzzing, keep them):
#   tests/fuzz/make_corpus.sh build/app/paretoprune-cli SCRATCH_DIR
# The seeds: a one-layer model of hidden size 8 (config.json, vocab.txt,
# tokenizer.json, model.safetensors), a three-trial run log of it, its ONNX
# exports (no layers, one layer, int8), search spaces and small data sets
# (for fuzz_dataset the first byte picks .tsv, .csv, .jsonl or .json).
set -euo pipefail
B=$1 W=$2 C=$(cd "$(dirname "$0")" && pwd)/corpus
mkdir -p "$W" && cd "$W"
"$B" make-tiny m --layers 1 --hidden 8 --heads 2 --intermediate 8 --seed 1 --max-positions 16
printf 'sentence\tlabel\n' >d.tsv
for _ in $(seq 1 10); do printf 'good food\tpositive\nbad place\tnegative\n' >>d.tsv; done
"$B" search m --data d.tsv --trials 3 --log run.jsonl --latency-runs 0 --max-length 16 --workers 1
"$B" export m --log run.jsonl --trial 0 --out none --format onnx
"$B" export m --subnet '{"num_layers":1,"num_heads":2,"num_units":8}' --out full --format onnx
"$B" export m --subnet '{"num_layers":1,"num_heads":1,"num_units":4}' --out q --format onnx-int8 --data d.tsv
mkdir -p "$C"/{fuzz_run_log,fuzz_config,fuzz_tokenizer_json,fuzz_vocab,fuzz_safetensors,fuzz_onnx}
sed "s#$W/#/data/#g" run.jsonl >"$C/fuzz_run_log/run.jsonl"
cp m/config.json "$C/fuzz_config/tiny.json"
cp m/tokenizer.json "$C/fuzz_tokenizer_json/wordpiece.json"
cp m/vocab.txt "$C/fuzz_vocab/vocab.txt"
cp m/model.safetensors "$C/fuzz_safetensors/tiny.safetensors"
cp none/onnx/model.onnx "$C/fuzz_onnx/no_layers.onnx"
cp full/onnx/model.onnx "$C/fuzz_onnx/one_layer.onnx"
cp q/onnx/model_quantized.onnx "$C/fuzz_onnx/int8.onnx"
# The search spaces, data sets, the BPE tokenizer.json and the small
# vocabulary were written by hand; fuzz_tagged's seeds are
# tests/data/tagging/sample.{conll,jsonl} after a format byte (0, 1);
# fuzz_bpe_files' is a vocab.json of GPT-2's 256 byte characters, the
# specials and nine merges, a NUL, then its merges.txt; unigram.json is the "precompiled" set-up
# of tests/data/reference/unigram/configs.json.
