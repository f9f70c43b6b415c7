#!/usr/bin/env python3
"""Cross-checks ParetoPrune against Hugging Face transformers.

Writes a random BertForSequenceClassification with transformers
(save_pretrained, safetensors), runs `paretoprune-cli predict` on the same
texts, and compares the logits (tolerance 1e-4). Needs torch and
transformers, so it runs on a machine that has them (the GPU box), not in CI.

  python3 scripts/check_hf_logits.py --cli build/app/paretoprune-cli [--vocab resources/vocab.txt]

With --exported DIR (a `paretoprune-cli export --format hf` or `hf-any`
directory; repeat it for several) it checks the other direction:
transformers loads the exported, smaller model and its logits are compared
with the sub-network evaluated inside ParetoPrune on the source model
(`paretoprune-cli predict SOURCE --subnet ...`, both named in
DIR/paretoprune.json). It prints the transformers version and each
directory's variant: `hf` (pruned_heads) loads in transformers 4.x only, and
on 5.x its failure to load is reported as expected, not as a mismatch;
`hf-any` must load and match in both.

  python3 scripts/check_hf_logits.py --cli build/app/paretoprune-cli --exported out/demo/picked-hf

With --source MODEL --subnet JSON it first exports both variants itself
(into a temporary directory) and checks each:

  python3 scripts/check_hf_logits.py --cli build/app/paretoprune-cli --source resources/demo/model \
      --subnet '{"layers":[{"heads":4,"units":512},{"heads":0,"units":384},{"heads":2,"units":160},{"heads":0,"units":0}]}'
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
    ap.add_argument("--exported", action="append", default=[],
                    help="an exported Hugging Face directory to check against its source (repeatable)")
    ap.add_argument("--source", help="a model to export as hf and hf-any with --subnet, then check both")
    ap.add_argument("--subnet", help="the sub-network for --source (JSON)")
    args = ap.parse_args()
    if args.source:
        return export_and_check(args)
    if args.exported:
        return max(check_export(args, d) for d in args.exported)

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


def export_and_check(args):
    if not args.subnet:
        print("--source needs --subnet", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as d:
        dirs = []
        for fmt in ("hf", "hf-any"):
            out = os.path.join(d, fmt)
            cmd = [args.cli, "export", args.source, "--subnet", args.subnet, "--format", fmt, "--out", out]
            if fmt == "hf":
                cmd.append("--pad-units")
            subprocess.run(cmd, check=True)
            dirs.append(out)
        return max(check_export(args, x) for x in dirs)


def check_export(args, exported):
    import torch
    import transformers
    from transformers import AutoModelForSequenceClassification, BertTokenizerFast

    info = json.load(open(os.path.join(exported, "paretoprune.json"), encoding="utf-8"))
    variant = info.get("format", "hf")
    major = int(transformers.__version__.split(".")[0])
    config = json.load(open(os.path.join(exported, "config.json"), encoding="utf-8"))
    has_pruned = any(config.get("pruned_heads", {}).values())
    print(f"transformers {transformers.__version__}, {exported}: variant {variant}, "
          f"pruned_heads {'yes' if has_pruned else 'none'}")
    try:
        model = AutoModelForSequenceClassification.from_pretrained(exported).eval()
    except Exception as e:  # noqa: BLE001 - reported, judged below
        if variant == "hf" and has_pruned and major >= 5:
            print(f"EXPECTED: transformers {major}.x does not apply pruned_heads, the hf variant does not "
                  f"load ({type(e).__name__}); use hf-any")
            return 0
        print(f"FAILED to load: {e}", file=sys.stderr)
        return 1
    if variant == "hf" and has_pruned and major >= 5:
        print("UNEXPECTED: an hf export with pruned_heads loaded in transformers 5; checking its logits")
    if variant == "hf-any" and has_pruned:
        print("MISMATCH: an hf-any export has pruned_heads", file=sys.stderr)
        return 1
    tok = BertTokenizerFast.from_pretrained(exported)  # our tokenizer.json
    n_params = sum(p.numel() for p in model.parameters())
    print(f"  loaded: {model.config.num_hidden_layers} layers, intermediate_size "
          f"{model.config.intermediate_size}, {n_params} parameters (ParetoPrune says {info['parameters']})")
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
    print(f"  max |logit difference| exported-in-transformers vs sub-network-in-ParetoPrune = {worst:.3g}")
    if worst > args.tolerance or n_params != info["parameters"]:
        print("MISMATCH", file=sys.stderr)
        return 1
    print(f"OK: the {variant} export loads in transformers {transformers.__version__} and reproduces the "
          "sub-network")
    return 0


if __name__ == "__main__":
    sys.exit(main())
