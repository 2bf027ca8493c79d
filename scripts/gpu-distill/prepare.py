#!/usr/bin/env python3
"""Packs what a GPU distillation run needs into one folder small enough to travel (docs/decisions.md D49).

    python3 scripts/gpu-distill/prepare.py --teacher artifacts/teacher --out gpu-pack [--shared ../shared/data]
        [--albertgen "dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll"]

Writes
  teacher.npz   the teacher's weights: 2-D matrices as symmetric per-row int8 + float32 row scales, 1-D as float32
                (about 23 MB instead of 87; the run dequantises them; only its targets are affected, cosine > 0.999)
  train.npz     token ids (uint16, back to back) + sentence offsets of the training sentences: the corpus books
                except the first in ordinal order (it holds albertize's and embed-eval's held-out sentences), the
                SST-2 and CoLA train sentences, both sentences of every STS-B train pair (data/sts). Never STS-B
                dev (it chooses checkpoints) nor STS-B test (it is only measured).
  dev.npz       STS-B dev pairs (ids of both sides + gold score), for the run's zero-shot Spearman
  config.json   the teacher's config

Tokenisation is the teacher's own tokenizer through `albertgen tokenize --max-length N` (--albertgen: how to run
the CLI, as scripts/sts/score.py takes it): the ids every verb and the engine use. Only numpy is needed here.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tensorfile  # noqa: E402


def tokenize(cli, model, texts, max_len):
    """Token ids of each text by `albertgen tokenize` with the model folder's tokenizer ([CLS] … [SEP], max_len at most)."""
    if any("\n" in t or "\r" in t for t in texts):
        raise ValueError("a text spans lines; tokenize reads one text a line")
    run = subprocess.run(shlex.split(cli) + ["tokenize", "--model", model, "--max-length", str(max_len)],
                         input="\n".join(texts) + "\n", capture_output=True, text=True, encoding="utf-8")
    if run.returncode != 0:
        sys.exit(f"albertgen tokenize failed ({run.returncode}): {run.stderr.strip()}")
    ids = [json.loads(line)["ids"] for line in run.stdout.splitlines() if line.strip()]
    if len(ids) != len(texts):
        sys.exit(f"albertgen tokenize returned {len(ids)} lines for {len(texts)} texts")
    return ids


SENTENCE_END = re.compile(r'(?<=[.!?])["\'’”)\]]*\s+(?=["\'‘“(\[]*[A-Z0-9])')


def corpus_sentences(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".txt"))
    held_out = files[0]  # albertize --corpus and embed-eval --held-out take their held-out sentences from here
    for name in files[1:]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for para in f:
                para = para.strip()
                if not para:
                    continue
                for s in SENTENCE_END.split(para):
                    s = s.strip()
                    if len(s.split()) >= 4:
                        yield s
    print(f"  corpus: {len(files) - 1} books (held out: {held_out})", file=sys.stderr)


def tsv_column(path, column, header):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines[1 if header else 0:]:
        cells = line.split("\t")
        if len(cells) > column and cells[column].strip():
            yield cells[column].strip()


def sts_pairs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 7:
                yield float(cells[4]), cells[5], cells[6]


def pack(seqs):
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.fromiter((i for s in seqs for i in s), dtype=np.uint16, count=int(offsets[-1]))
    return ids, offsets


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared/data"))
    ap.add_argument("--sts", default=os.path.join(os.path.dirname(__file__), "../../data/sts"))
    ap.add_argument("--max-seq-length", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0, help="at most N training sentences (a smoke run)")
    ap.add_argument("--albertgen", default="dotnet src/AlbertGen.Cli/bin/Release/net10.0/albertgen.dll",
                    help="how to run the CLI")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    weights = tensorfile.read(os.path.join(a.teacher, "model.safetensors"), "F32")
    packed = {}
    for name, w in weights.items():
        if w.ndim == 2:
            scale = np.abs(w).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            packed[name + ".q"] = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
            packed[name + ".scale"] = scale.astype(np.float32)
        else:
            packed[name] = w.astype(np.float32)
    np.savez(os.path.join(a.out, "teacher.npz"), **packed)
    with open(os.path.join(a.teacher, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)

    n = a.max_seq_length
    seen, texts = set(), []

    def add(text):
        if text not in seen:
            seen.add(text)
            texts.append(text)

    for s in corpus_sentences(os.path.join(a.shared, "corpus")):
        add(s)
        if a.limit and len(texts) >= a.limit:
            break
    books = len(texts)
    for s in tsv_column(os.path.join(a.shared, "tasks/SST-2/train.tsv"), 0, True):
        add(s)
    sst2 = len(texts) - books
    for s in tsv_column(os.path.join(a.shared, "tasks/CoLA/train.tsv"), 3, False):
        add(s)
    cola = len(texts) - books - sst2
    for _, s1, s2 in sts_pairs(os.path.join(a.sts, "sts-train.tsv")):
        add(s1)
        add(s2)
    sts = len(texts) - books - sst2 - cola
    ids, offsets = pack(tokenize(a.albertgen, a.teacher, texts, n))
    np.savez_compressed(os.path.join(a.out, "train.npz"), ids=ids, offsets=offsets)
    print(f"  train: {len(texts)} sentences (books {books}, SST-2 {sst2}, CoLA {cola}, STS-B train {sts}), "
          f"{len(ids)} tokens", file=sys.stderr)

    dev = list(sts_pairs(os.path.join(a.sts, "sts-dev.tsv")))
    gold = [score for score, _, _ in dev]
    lids, loff = pack(tokenize(a.albertgen, a.teacher, [s1 for _, s1, _ in dev], n))
    rids, roff = pack(tokenize(a.albertgen, a.teacher, [s2 for _, _, s2 in dev], n))
    np.savez_compressed(os.path.join(a.out, "dev.npz"), left_ids=lids, left_offsets=loff, right_ids=rids,
                        right_offsets=roff, gold=np.array(gold, dtype=np.float32))
    print(f"  dev: {len(gold)} STS-B dev pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
