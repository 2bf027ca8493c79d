#!/usr/bin/env python3
"""Packs what a GPU distillation run needs into one folder small enough to travel (docs/decisions.md D49).

    python3 scripts/gpu-distill/prepare.py --teacher artifacts/teacher --out gpu-pack [--shared ../shared/data]

Writes
  teacher.npz   the teacher's weights: 2-D matrices as symmetric per-row int8 + float32 row scales, 1-D as float32
                (about 23 MB instead of 87; the run dequantises them; only its targets are affected, cosine > 0.999)
  train.npz     token ids (uint16, back to back) + sentence offsets of the training sentences: the corpus books
                except the first in ordinal order (it holds albertize's and embed-eval's held-out sentences), the
                SST-2 and CoLA train sentences, both sentences of every STS-B train pair (data/sts). Never STS-B
                dev (it chooses checkpoints) nor STS-B test (it is only measured).
  dev.npz       STS-B dev pairs (ids of both sides + gold score), for the run's zero-shot Spearman
  config.json   the teacher's config

Tokenisation is BERT's uncased WordPiece (basic tokenizer: clean, CJK split, lower case, accents stripped,
punctuation split; greedy longest match, '##' continuations, [UNK] for words over 100 characters or without a
match), [CLS] … [SEP], at most --max-seq-length tokens: the same ids HF's BertTokenizer gives for all-MiniLM-L6-v2's
vocab.txt. Only numpy is needed.
"""

import argparse
import json
import os
import re
import sys
import unicodedata

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tensorfile  # noqa: E402


class WordPiece:
    def __init__(self, vocab_path):
        with open(vocab_path, encoding="utf-8-sig") as f:
            tokens = [line.rstrip("\r\n") for line in f]
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.cls, self.sep, self.unk = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[UNK]"]
        self.cache = {}

    @staticmethod
    def _is_punct(ch):
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    @staticmethod
    def _is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
                or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

    def _basic(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD:
                continue
            cat = unicodedata.category(ch)
            if ch in "\t\n\r" or cat == "Zs":
                out.append(" ")
            elif cat in ("Cc", "Cf"):
                continue
            elif self._is_cjk(cp):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        words = []
        for word in "".join(out).split():
            word = unicodedata.normalize("NFD", word.lower())
            word = "".join(c for c in word if unicodedata.category(c) != "Mn")
            cur = []
            for ch in word:
                if self._is_punct(ch):
                    if cur:
                        words.append("".join(cur))
                        cur = []
                    words.append(ch)
                else:
                    cur.append(ch)
            if cur:
                words.append("".join(cur))
        return words

    def _wordpiece(self, word):
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        if len(word) > 100:
            pieces = [self.unk]
        else:
            pieces, start = [], 0
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    if sub in self.ids:
                        found = self.ids[sub]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk]
                    break
                pieces.append(found)
                start = end
        self.cache[word] = pieces
        return pieces

    def encode(self, text, max_len):
        ids = [self.cls]
        for word in self._basic(text):
            ids.extend(self._wordpiece(word))
            if len(ids) >= max_len - 1:
                break
        ids = ids[: max_len - 1]
        ids.append(self.sep)
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

    wp = WordPiece(os.path.join(a.teacher, "vocab.txt"))
    n = a.max_seq_length
    seen, seqs = set(), []

    def add(text):
        if text in seen:
            return
        seen.add(text)
        seqs.append(wp.encode(text, n))

    for s in corpus_sentences(os.path.join(a.shared, "corpus")):
        add(s)
        if a.limit and len(seqs) >= a.limit:
            break
    books = len(seqs)
    for s in tsv_column(os.path.join(a.shared, "tasks/SST-2/train.tsv"), 0, True):
        add(s)
    sst2 = len(seqs) - books
    for s in tsv_column(os.path.join(a.shared, "tasks/CoLA/train.tsv"), 3, False):
        add(s)
    cola = len(seqs) - books - sst2
    for _, s1, s2 in sts_pairs(os.path.join(a.sts, "sts-train.tsv")):
        add(s1)
        add(s2)
    sts = len(seqs) - books - sst2 - cola
    ids, offsets = pack(seqs)
    np.savez_compressed(os.path.join(a.out, "train.npz"), ids=ids, offsets=offsets)
    print(f"  train: {len(seqs)} sentences (books {books}, SST-2 {sst2}, CoLA {cola}, STS-B train {sts}), "
          f"{len(ids)} tokens", file=sys.stderr)

    gold, left, right = [], [], []
    for score, s1, s2 in sts_pairs(os.path.join(a.sts, "sts-dev.tsv")):
        gold.append(score)
        left.append(wp.encode(s1, n))
        right.append(wp.encode(s2, n))
    lids, loff = pack(left)
    rids, roff = pack(right)
    np.savez_compressed(os.path.join(a.out, "dev.npz"), left_ids=lids, left_offsets=loff, right_ids=rids,
                        right_offsets=roff, gold=np.array(gold, dtype=np.float32))
    print(f"  dev: {len(gold)} STS-B dev pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
