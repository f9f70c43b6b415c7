#!/usr/bin/env python3
"""Cross-checks ParetoPrune against Hugging Face transformers.

Writes a random BertForSequenceClassification with transformers
(save_pretrained, safetensors), runs `paretoprune-cli predict` on the same
texts, and compares the logits (tolerance 1e-4). Needs torch and
transformers, so it runs on a machine that has them (the GPU box), not in CI.

  python3 scripts/check_hf_logits.py --cli build/app/paretoprune-cli [--vocab resources/vocab.txt]

With --exported DIR (a `paretoprune-cli export --format hf` directory) it
checks the other direction: transformers loads the exported, smaller model
(pruned_heads, intermediate_size) and its logits are compared with the
sub-network evaluated inside ParetoPrune on the source model
(`paretoprune-cli predict SOURCE --subnet ...`, both named in
DIR/paretoprune.json):

  python3 scripts/check_hf_logits.py --cli build/app/paretoprune-cli --exported out/demo/picked-hf
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

TEXTS = [
    {"text": "The food was great and the service friendly."},
    {"text": "Terrible.", "pair": "I would not go back."},
    {"text": "naïve façade — résumé, 1234 $3.50 (approx.)"},
    {"text": "a " * 60},
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--vocab", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                    "reference", "tokenizer", "vocab.txt"))
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--exported", help="an exported Hugging Face directory to check against its source")
    args = ap.parse_args()
    if args.exported:
        return check_export(args)

    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as d:
        vocab_size = sum(1 for _ in open(args.vocab, encoding="utf-8"))
        cfg = BertConfig(vocab_size=vocab_size, hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                         intermediate_size=96, num_labels=3, max_position_embeddings=128)
        model = BertForSequenceClassification(cfg).eval()
        for p in model.parameters():  # larger weights so differences would show
            torch.nn.init.normal_(p, std=0.2)
        model.save_pretrained(d, safe_serialization=True)
        tok = BertTokenizer(args.vocab)
        tok.save_pretrained(d)
        out = subprocess.run([args.cli, "predict", d], input="\n".join(json.dumps(t) for t in TEXTS),
                             capture_output=True, text=True, check=True).stdout.splitlines()
        worst = 0.0
        for t, line in zip(TEXTS, out):
            enc = tok(t["text"], t.get("pair"), return_tensors="pt")
            with torch.no_grad():
                ref = model(**enc).logits[0].tolist()
            ours = json.loads(line)["logits"]
            worst = max(worst, max(abs(a - b) for a, b in zip(ours, ref)))
        print(f"max |logit difference| = {worst:.3g} over {len(TEXTS)} texts")
        if worst > args.tolerance:
            print("MISMATCH", file=sys.stderr)
            return 1
    print("OK: ParetoPrune matches transformers")
    return 0


def check_export(args):
    import torch
    from transformers import AutoModelForSequenceClassification, BertTokenizer

    info = json.load(open(os.path.join(args.exported, "paretoprune.json"), encoding="utf-8"))
    model = AutoModelForSequenceClassification.from_pretrained(args.exported).eval()
    tok = BertTokenizer.from_pretrained(args.exported)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"transformers loaded {args.exported}: {model.config.num_hidden_layers} layers, "
          f"pruned_heads {model.config.pruned_heads}, intermediate_size {model.config.intermediate_size}, "
          f"{n_params} parameters (ParetoPrune says {info['parameters']})")
    cmd = [args.cli, "predict", info["source_model"], "--subnet", json.dumps(info["subnetwork"])]
    out = subprocess.run(cmd, input="\n".join(json.dumps(t) for t in TEXTS), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    worst = 0.0
    for t, line in zip(TEXTS, out):
        enc = tok(t["text"], t.get("pair"), return_tensors="pt", truncation=True,
                  max_length=model.config.max_position_embeddings)
        with torch.no_grad():
            ref = model(**enc).logits[0].tolist()
        ours = json.loads(line)["logits"]
        worst = max(worst, max(abs(a - b) for a, b in zip(ours, ref)))
    print(f"max |logit difference| exported-in-transformers vs sub-network-in-ParetoPrune = {worst:.3g}")
    if worst > args.tolerance or n_params != info["parameters"]:
        print("MISMATCH", file=sys.stderr)
        return 1
    print("OK: the export loads in transformers and reproduces the sub-network")
    return 0


if __name__ == "__main__":
    sys.exit(main())
