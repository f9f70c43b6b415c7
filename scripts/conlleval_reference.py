#!/usr/bin/env python3
"""Writes tests/data/tagging/conlleval_reference.jsonl: random gold and
predicted tag sequences with the scores an independent CoNLL evaluation
gives them, for test_entity_metrics to compare ours against.

  scripts/conlleval_reference.py CONLLEVAL_PL CONLLEVAL_PY > tests/data/tagging/conlleval_reference.jsonl

CONLLEVAL_PL: the CoNLL shared tasks' conlleval script (Perl, version
2004-01-26), the judge of the IOB1 and IOB2 cases. CONLLEVAL_PY: a Python
port that adds IOBES's S- and E- rules (sighsmile/conlleval's conlleval.py,
whose rules seqeval's default mode shares), the judge of the IOBES cases.
Neither ships with ParetoPrune; give their paths.
"""
import importlib.util
import json
import random
import re
import subprocess
import sys

TYPES = ["PER", "LOC", "ORG"]


def chunks_to_tags(n, scheme, rng):
    """A gold sentence of n words in `scheme`, chunks of random types and lengths."""
    tags, i, prev_type = [], 0, None
    while i < n:
        if rng.random() < 0.45:
            tags.append("O")
            prev_type = None
            i += 1
            continue
        t, length = rng.choice(TYPES), min(n - i, rng.randint(1, 3))
        for k in range(length):
            if scheme == "IOB2":
                p = "B" if k == 0 else "I"
            elif scheme == "IOB1":
                p = "B" if k == 0 and prev_type == t else "I"
            else:
                p = "S" if length == 1 else "B" if k == 0 else "E" if k == length - 1 else "I"
            tags.append(p + "-" + t)
        prev_type = t
        i += length
    return tags


def corrupt(tags, scheme, rng):
    prefixes = "BIES" if scheme == "IOBES" else "BI"
    out = []
    for t in tags:
        r = rng.random()
        if r < 0.12:
            out.append("O")
        elif r < 0.24:
            out.append(rng.choice(prefixes) + "-" + rng.choice(TYPES))
        elif r < 0.30 and t != "O":
            out.append(rng.choice(prefixes) + t[1:])
        else:
            out.append(t)
    return out


def perl_judge(script, gold, pred):
    lines = []
    for g, p in zip(gold, pred):
        lines += [f"w {a} {b}" for a, b in zip(g, p)] + [""]
    out = subprocess.run(["perl", script], input="\n".join(lines) + "\n", text=True,
                         capture_output=True, check=True).stdout
    m = re.search(r"processed (\d+) tokens with (\d+) phrases; found: (\d+) phrases; correct: (\d+)", out)
    acc = re.search(r"accuracy:\s+([\d.]+)%", out)
    per_type = {}
    for t, p, r, f in re.findall(r"^\s*(\S+): precision:\s+([\d.]+)%; recall:\s+([\d.]+)%; FB1:\s+([\d.]+)",
                                 out, re.M):
        per_type[t] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    return {"gold_chunks": int(m.group(2)), "found": int(m.group(3)), "correct": int(m.group(4)),
            "accuracy_percent": float(acc.group(1)), "per_type_percent": per_type}


def py_judge(module, gold, pred):
    true_seqs, pred_seqs = [], []
    for g, p in zip(gold, pred):  # an O between sentences ends any chunk, as a blank line does
        true_seqs += g + ["O"]
        pred_seqs += p + ["O"]
    correct, true_chunks, pred_chunks, _, _, _ = module.count_chunks(true_seqs, pred_seqs)
    per_type = {}
    for t in sorted(set(true_chunks) | set(pred_chunks)):
        p, r, f = module.calc_metrics(correct[t], pred_chunks[t], true_chunks[t])
        per_type[t] = {"precision": round(p, 2), "recall": round(r, 2), "f1": round(f, 2)}
    return {"gold_chunks": sum(true_chunks.values()), "found": sum(pred_chunks.values()),
            "correct": sum(correct.values()), "per_type_percent": per_type}


def main():
    perl, pyfile = sys.argv[1], sys.argv[2]
    spec = importlib.util.spec_from_file_location("conlleval_py", pyfile)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(2027)
    for scheme in ["IOB2", "IOB1", "IOBES"]:
        for case in range(40):
            gold = [chunks_to_tags(rng.randint(1, 14), scheme, rng) for _ in range(rng.randint(1, 6))]
            pred = [corrupt(g, scheme, rng) for g in gold]
            judged = perl_judge(perl, gold, pred) if scheme != "IOBES" else py_judge(module, gold, pred)
            judged.update({"scheme": scheme, "judge": "conlleval.pl" if scheme != "IOBES" else "conlleval.py",
                           "gold": gold, "pred": pred})
            print(json.dumps(judged))


if __name__ == "__main__":
    main()
