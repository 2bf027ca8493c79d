#!/usr/bin/python3
"""Differential Viterbi fixtures: tests/fixtures/tokenizer/viterbi/.

Trains small SentencePiece Unigram models with spm_train on a sample of ../shared/data/corpus (user-defined
symbols, byte fallback, nmt_nfkc and plain nfkc normalisation, no dummy prefix), generates strings that stress
the Viterbi tie-breaking (long runs of one or two characters such as "ppp", "-444", ",000", "xxxx", digits with
commas, mixed scripts, corpus lines) and writes what the sentencepiece library (python3-sentencepiece ==
spm_encode) returns for each, so the C# test needs no Python:

  <model>.model.gz   the model (gzip'd: the charsmap compresses well)
  lines.jsonl.gz     one JSON string per line
  <model>.jsonl.gz   {"ids": [...], "pieces": [...]} per line

Needs /usr/bin/python3 with python3-sentencepiece (0.1.97 in Debian 12) and spm_train (Debian `sentencepiece`).
Usage: scripts/make_viterbi_fixtures.py [--shared ../shared]
"""
import argparse
import gzip
import json
import random
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests/fixtures/tokenizer/viterbi"

# user-defined symbols: plain, one under the nmt_nfkc charsmap (fullwidth), and ones that overlap the runs
USER_DEFINED = "ppp,-44,<sep>,xx,ＡＢ,00"

MODELS = {
    "ud400_nmt": ["--vocab_size=400", "--normalization_rule_name=nmt_nfkc", f"--user_defined_symbols={USER_DEFINED}"],
    "bf600_nfkc": ["--vocab_size=600", "--normalization_rule_name=nfkc", "--byte_fallback=true",
                   "--character_coverage=0.98"],
    "u250_nmt": ["--vocab_size=250", "--normalization_rule_name=nmt_nfkc", "--character_coverage=0.98"],
    "u1200_nfkc_nodummy": ["--vocab_size=1200", "--normalization_rule_name=nfkc", "--add_dummy_prefix=false",
                           "--remove_extra_whitespaces=false", f"--user_defined_symbols={USER_DEFINED}"],
}


def train(shared: Path, tmp: Path):
    sample = tmp / "train.txt"
    with open(sample, "w", encoding="utf-8") as w:
        for f in sorted((shared / "data/corpus").glob("*.txt")):
            for i, line in enumerate(open(f, encoding="utf-8")):
                if i % 11 == 0:
                    w.write(line)
        # a little of everything the generated strings use, so such pieces exist
        rng = random.Random(3)
        for _ in range(3000):
            w.write(f"{rng.randint(0, 10**7):,} pp ppp xx -4 -44 ,000 1,000 Ελληνικά Русский 中文 日本語\n")
    common = ["spm_train", f"--input={sample}", "--model_type=unigram", "--pad_id=0", "--unk_id=1", "--bos_id=-1",
              "--eos_id=-1", "--input_sentence_size=40000", "--shuffle_input_sentence=true", "--num_threads=2",
              "--minloglevel=2", "--seed_sentencepiece_size=200000"]
    for name, args in MODELS.items():
        subprocess.run(common + [f"--model_prefix={tmp / name}"] + args, check=True)
        data = (tmp / f"{name}.model").read_bytes()
        with open(OUT / f"{name}.model.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(data)


RUN_CHARS = ["p", "x", "4", "0", "-", ",", "a", "e", "s", "l", ".", "ー", "あ", "中", "ا", "😀", " "]
RUN_PAIRS = ["-4", ",0", "pp", "xy", "ab", "10", "e ", "-p", "4,", "ab", "ا ", "ελ", "ру"]
SCRIPTS = [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", ",.-", "  ",
    "αβγδεζηθικλμνοπρστυφχψω", "абвгдежзийклмнопрстуфхцчшщ", "中文日本語测试混合文本", "あいうえおかきくけこ",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "한국어텍스트", "ＡＢＣ１２３", "ﬁﬂ½²", "😀👍🏽", "\u0301\u0308", "\t\u3000\u00a0",
]


def generated(rng: random.Random):
    lines = []
    for c in RUN_CHARS:
        for n in list(range(1, 25)) + [31, 32, 33, 47, 64, 100]:
            lines.append(c * n)
            lines.append(f"a {c * n} b")
    for p in RUN_PAIRS:
        for n in range(1, 17):
            lines.append(p * n)
            lines.append(p[0] + p[1] * n)
            lines.append(p[0] * n + p[1] * n)
    for n in range(1, 13):
        lines.append("-4" + "4" * n)
        lines.append("1" + ",000" * n)
        lines.append("$" + ",000" * n + ".00")
        lines.append("x" * n + "-" + "4" * n)
    for _ in range(400):
        digits = str(rng.randint(0, 10 ** rng.randint(1, 15)))
        lines.append(f"{int(digits):,}")
        lines.append(f"{rng.choice(['', 'about ', '$', '-'])}{int(digits):,}{rng.choice(['', ',', '.', ' men', ',000'])}")
        lines.append(",".join(str(rng.randint(0, 999)) for _ in range(rng.randint(2, 8))))
    for _ in range(700):
        parts = []
        for _ in range(rng.randint(1, 10)):
            r = rng.random()
            if r < 0.2:
                parts.append(rng.choice(RUN_CHARS) * rng.randint(2, 12))
            elif r < 0.3:
                parts.append(rng.choice(RUN_PAIRS) * rng.randint(2, 6))
            elif r < 0.4:
                parts.append(f"{rng.randint(0, 10**9):,}")
            else:
                pool = rng.choice(SCRIPTS)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 9))))
            if rng.random() < 0.5:
                parts.append(" ")
        lines.append("".join(parts))
    return lines


def corpus_lines(shared: Path, n, rng):
    lines = []
    for f in sorted((shared / "data/corpus").glob("*.txt")):
        for line in open(f, encoding="utf-8"):
            line = line.rstrip("\n")
            if 1 <= len(line) <= 400:
                lines.append(line)
    return rng.sample(lines, n)


def write_gz(path, rows):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        for r in rows:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    a = ap.parse_args()
    shared = Path(a.shared)
    import sentencepiece as spm

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        train(shared, Path(tmp))
        rng = random.Random(16)
        lines = generated(rng) + corpus_lines(shared, 600, rng)
        write_gz(OUT / "lines.jsonl.gz", lines)
        for name in MODELS:
            sp = spm.SentencePieceProcessor()
            sp.Load(str(Path(tmp) / f"{name}.model"))
            rows = [{"ids": sp.encode(t, out_type=int), "pieces": sp.encode(t, out_type=str)} for t in lines]
            write_gz(OUT / f"{name}.jsonl.gz", rows)
            print(name, len(rows), "lines", sp.get_piece_size(), "pieces")


if __name__ == "__main__":
    main()
