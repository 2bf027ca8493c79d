#!/usr/bin/env python3
"""STS-benchmark Spearman x 100 of a model folder, through `albertgen embed` (standard library only).

Usage: score.py ALBERTGEN_COMMAND MODEL_DIR PAIRS.tsv [--header]

ALBERTGEN_COMMAND is how to run the CLI, e.g. "dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll".
PAIRS.tsv is the benchmark's layout (genre filename year index score sentence1 sentence2 ...); --header skips a
first line (../shared/data/tasks/STS-B/test.tsv has one, data/sts/*.tsv do not). The sentences go through `embed`
with the folder's own pooling (mean for the sentence-transformers students); the score is Spearman's rho (ties
averaged, as scipy.stats.spearmanr) of the cosines against the gold scores, the way the STS-B test figures in
bench/RESULTS.md and MiniLMTests are measured. The STS-B test split is a measurement only (docs/decisions.md D40).
"""
import json
import math
import shlex
import subprocess
import sys


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def main():
    args = [a for a in sys.argv[1:] if a != "--header"]
    if len(args) != 3:
        sys.exit(__doc__)
    cli, model, path = args
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if "--header" in sys.argv:
        lines = lines[1:]
    rows = [l.split("\t") for l in lines if l.strip()]
    gold = [float(r[4]) for r in rows]
    sentences = sorted({s for r in rows for s in (r[5], r[6])})
    run = subprocess.run(shlex.split(cli) + ["embed", "--model", model], input="\n".join(sentences) + "\n",
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"embed failed ({run.returncode}): {run.stderr.strip()}")
    out = run.stdout
    vectors = [json.loads(l)["embedding"] for l in out.splitlines() if l.strip()]
    if len(vectors) != len(sentences):
        sys.exit(f"embed returned {len(vectors)} vectors for {len(sentences)} sentences")
    by_text = dict(zip(sentences, vectors))

    def cos(a, b):
        return sum(p * q for p, q in zip(a, b)) / math.sqrt(sum(p * p for p in a) * sum(q * q for q in b))

    cosines = [cos(by_text[r[5]], by_text[r[6]]) for r in rows]
    rho = pearson(ranks(cosines), ranks(gold))
    print(f"{path}: Spearman x 100 {100 * rho:.3f} ({len(rows)} pairs, {len(sentences)} sentences)")


if __name__ == "__main__":
    main()
