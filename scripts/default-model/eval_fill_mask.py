#!/usr/bin/python3
"""Fill-mask exact-token hit rate (top-1 and top-5) of a model folder on sentences it was not trained on.

Takes sentences from a TSV (default: CoLA in-domain dev, last column), masks one word per sentence that is a single
SentencePiece piece (chosen with a fixed seed), runs `albertgen fill-mask --json` on them and counts how often the
original piece is the top candidate / among the top 5. usage: eval_fill_mask.py MODEL_DIR [TSV] [N]
"""
import json
import random
import subprocess
import sys
from pathlib import Path

import sentencepiece as spm

model = Path(sys.argv[1])
tsv = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parents[3] / "shared/data/tasks/CoLA/in_domain_dev.tsv")
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
sp = spm.SentencePieceProcessor(model_file=str(model / "spiece.model"))
rng = random.Random(11)
items = []
for line in tsv.read_text(encoding="utf-8").splitlines():
    sentence = line.split("\t")[-1].strip()
    words = sentence.split()
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(sp.encode(w.lower(), out_type=str)) == 1]
    if len(words) < 4 or not candidates:
        continue
    i = rng.choice(candidates)
    piece = sp.encode(words[i].lower(), out_type=str)[0]
    items.append((" ".join(words[:i] + ["[MASK]"] + words[i + 1:]), piece))
    if len(items) == n:
        break
root = Path(__file__).resolve().parents[2]
out = subprocess.run(["dotnet", "run", "--project", str(root / "src/AlbertGen.Cli"), "-c", "Release", "--", "fill-mask", "--model", str(model), "--json", "--top-k", "5"],
                     input="\n".join(t for t, _ in items) + "\n", capture_output=True, text=True, check=True).stdout
top1 = top5 = 0
for (text, piece), line in zip(items, out.splitlines()):
    cands = [c["token"] for c in json.loads(line)["candidates"]]
    top1 += cands[0] == piece
    top5 += piece in cands
print(json.dumps({"sentences": len(items), "top1": top1 / len(items), "top5": top5 / len(items), "source": tsv.name}))
