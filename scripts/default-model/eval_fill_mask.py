#!/usr/bin/python3
"""Fill-mask exact-token hit rate (top-1 and top-5) of a model folder on sentences it was not trained on.

Source: a plain-text book (default: Pride and Prejudice, the book make.sh holds out of pretraining; split into
sentences of 8-40 words) or a TSV (e.g. CoLA in-domain dev, sentence in the last column). One word per sentence
that is a single SentencePiece piece is masked (fixed seed), `albertgen fill-mask --json --top-k 5` runs on them, and
the script counts how often the original piece is the top candidate / among the top 5.
usage: eval_fill_mask.py MODEL_DIR [SOURCE.txt|.tsv] [N]      (ALBERTGEN: command to run albertgen, default dotnet run)
"""
import json
import os
import random
import re
import shlex
import subprocess
import sys
from pathlib import Path

import sentencepiece as spm

root = Path(__file__).resolve().parents[2]
model = Path(sys.argv[1])
source = Path(sys.argv[2] if len(sys.argv) > 2 else root.parent / "shared/data/corpus/pg1342_austen_pride-and-prejudice.txt")
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
sp = spm.SentencePieceProcessor(model_file=str(model / "spiece.model"))

if source.suffix == ".tsv":
    sentences = [line.split("\t")[-1].strip() for line in source.read_text(encoding="utf-8").splitlines()]
else:
    text = source.read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p)]
    sentences = [s for s in sentences if 8 <= len(s.split()) <= 40]
    random.Random(5).shuffle(sentences)

rng = random.Random(11)
items = []
for sentence in sentences:
    words = sentence.split()
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(sp.encode(w.lower(), out_type=str)) == 1]
    if len(words) < 4 or not candidates:
        continue
    i = rng.choice(candidates)
    piece = sp.encode(words[i].lower(), out_type=str)[0]
    items.append((" ".join(words[:i] + ["[MASK]"] + words[i + 1:]), piece))
    if len(items) == n:
        break
albertgen = shlex.split(os.environ.get("ALBERTGEN", f"dotnet run --project {root / 'src/AlbertGen.Cli'} -c Release --"))
out = subprocess.run(albertgen + ["fill-mask", "--model", str(model), "--json", "--top-k", "5"],
                     input="\n".join(t for t, _ in items) + "\n", capture_output=True, text=True, check=True).stdout
top1 = top5 = 0
for (text, piece), line in zip(items, out.splitlines()):
    cands = [c["token"] for c in json.loads(line)["candidates"]]
    top1 += cands[0] == piece
    top5 += piece in cands
print(json.dumps({"sentences": len(items), "top1": top1 / len(items), "top5": top5 / len(items), "source": source.name}))
