"""Request bodies for the serve load test, one JSON object per line.

short.jsonl: {"inputs": "<one SST-2 dev sentence>"}; long.jsonl: {"inputs": "<SST-2 sentences joined to exactly 128
tokens>"}, lengths measured by the running server's /tokenize (so they are the model's own token counts).
usage: make_bodies.py URL SST2_DEV_TSV OUTDIR
"""
import json
import sys
import urllib.request

url, tsv, out = sys.argv[1:4]


def token_counts(texts):
    req = urllib.request.Request(url + "/tokenize", json.dumps({"inputs": texts}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return [len(t["ids"]) for t in json.load(r)]


sentences = [line.split("\t")[0].strip() for line in open(tsv, encoding="utf-8").read().splitlines()[1:] if line.strip()]
with open(f"{out}/short.jsonl", "w", encoding="utf-8") as f:
    for s in sentences:
        f.write(json.dumps({"inputs": s}) + "\n")

longs, i = [], 0
while len(longs) < 200 and i < len(sentences):
    words = []
    while i < len(sentences) and len(words) < 140:
        words += sentences[i].split()
        i += 1
    # drop words until the text is at most 128 tokens ([CLS] and [SEP] included), then keep it only if exactly 128
    lo, hi = 1, len(words)
    while lo < hi:  # the longest prefix with at most 128 tokens
        mid = (lo + hi + 1) // 2
        if token_counts([" ".join(words[:mid])])[0] <= 128:
            lo = mid
        else:
            hi = mid - 1
    text = " ".join(words[:lo])
    if token_counts([text])[0] >= 126:
        longs.append(text)
with open(f"{out}/long.jsonl", "w", encoding="utf-8") as f:
    for t in longs:
        f.write(json.dumps({"inputs": t}) + "\n")
counts = token_counts(longs[:100])
print(f"{len(sentences)} short bodies (mean {sum(token_counts(sentences[:256])) / 256:.1f} tokens), "
      f"{len(longs)} long bodies (mean {sum(counts) / len(counts):.1f} tokens)")
