#!/usr/bin/env python3
"""Builds resources/demo/ from the UCI "Sentiment Labelled Sentences" data set.

Source: the npm package `sentiment` 5.0.2 ships the data set under
test/fixtures/{amazon,imdb,yelp}.json. Fetch it once with
    npm pack sentiment@5.0.2 && tar xzf sentiment-5.0.2.tgz
and run
    scripts/make_demo_data.py package/test/fixtures

Writes sentiment-train.tsv and sentiment-validation.tsv (a fixed, seeded,
label-stratified split: 600 validation sentences, 200 from each source) and
vocab.txt (the bert-base-uncased pieces the data uses, see --vocab).
Records without a class (one per file in 5.0.2) are skipped and counted.
"""
import argparse
import json
import os
import random
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "demo")


def clean(text):
    # One line, no tabs: the TSV needs nothing quoted.
    return re.sub(r"\s+", " ", text).strip()


def basic_words(text):
    """BERT's basic tokenizer (lowercase, strip accents, split punctuation)."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    out, cur = [], ""
    for c in text:
        cat = unicodedata.category(c)
        if c.isspace():
            if cur:
                out.append(cur)
            cur = ""
        elif cat.startswith("P") or (33 <= ord(c) <= 47) or (58 <= ord(c) <= 64) or (91 <= ord(c) <= 96) or (123 <= ord(c) <= 126):
            if cur:
                out.append(cur)
            out.append(c)
            cur = ""
        else:
            cur += c
    if cur:
        out.append(cur)
    return out


def wordpiece(word, vocab):
    pieces, start = [], 0
    while start < len(word):
        end, cur = len(word), None
        while start < end:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in vocab:
                cur = sub
                break
            end -= 1
        if cur is None:
            return ["[UNK]"]
        pieces.append(cur)
        start = end
    return pieces


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fixtures", help="the package's test/fixtures directory")
    ap.add_argument("--vocab", default=os.path.join(HERE, "..", "..", "shared", "reference", "tokenizer", "vocab.txt"))
    ap.add_argument("--validation", type=int, default=600)
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()

    rows, skipped = [], {}
    for source in ("amazon", "imdb", "yelp"):
        with open(os.path.join(args.fixtures, source + ".json"), encoding="utf-8") as f:
            records = json.load(f)
        for r in records:
            if r.get("class") not in (0, 1) or not clean(r.get("text", "")):
                skipped[source] = skipped.get(source, 0) + 1
                continue
            rows.append((clean(r["text"]), "positive" if r["class"] == 1 else "negative", source))

    rng = random.Random(args.seed)
    val = set()
    per_group = args.validation // 6  # 3 sources x 2 labels
    for source in ("amazon", "imdb", "yelp"):
        for label in ("negative", "positive"):
            idx = [i for i, r in enumerate(rows) if r[2] == source and r[1] == label]
            val.update(rng.sample(idx, per_group))
    os.makedirs(OUT, exist_ok=True)
    for name, keep in (("sentiment-train.tsv", lambda i: i not in val), ("sentiment-validation.tsv", lambda i: i in val)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write("sentence\tlabel\tsource\n")
            for i, r in enumerate(rows):
                if keep(i):
                    f.write("\t".join(r) + "\n")

    # The vocabulary cut to what the data uses: the special tokens, every
    # Latin single character piece (so unseen words still split into pieces), and
    # the pieces that occur in the data, in their original order.
    with open(args.vocab, encoding="utf-8") as f:
        full = [l.rstrip("\n") for l in f]
    index = set(full)
    used = set()
    for text, _, _ in rows:
        for w in basic_words(text):
            used.update(wordpiece(w, index))
    def latin_char(p):
        c = p[2:] if p.startswith("##") else p
        return len(c) == 1 and ord(c) < 0x250

    keep = [p for p in full if p.startswith("[") and p.endswith("]") and not p.startswith("[unused")
            or latin_char(p) or p in used]
    with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(keep) + "\n")
    print(f"{len(rows)} sentences ({len(rows) - len(val)} train, {len(val)} validation); "
          f"skipped records without a class: {skipped}; vocabulary {len(keep)} of {len(full)} pieces")


if __name__ == "__main__":
    main()
