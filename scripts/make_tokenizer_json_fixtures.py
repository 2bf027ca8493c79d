#!/usr/bin/python3
"""tokenizer.json fixtures: tests/fixtures/tokenizer/json/.

1. Converts the committed spm fixture models (u1000, u3000, bf2000) to HF `tokenizer.json` exactly as
   transformers' AlbertConverter (convert_slow_tokenizer.py) builds AlbertTokenizerFast's backend:
     model          Unigram(vocab = [(piece, score) if check_number_comma(piece) else (piece, score - 100)],
                            unk_id, byte_fallback)
     normalizer     Sequence[Replace("``", '"'), Replace("''", '"'), (NFKD, StripAccents unless keep_accents),
                             (Lowercase if do_lower_case), Precompiled(charsmap), Replace(Regex(" {2,}"), " ")]
     pre_tokenizer  Metaspace(replacement "▁", prepend_scheme "always", split true); decoder the same
     post_processor TemplateProcessing("[CLS]:0 $A:0 [SEP]:0", pair "[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1")
     added_tokens   <pad> <unk> [CLS] [SEP] [MASK] (special, normalized false; [MASK] lstrip), the model's
                    control symbols being special tokens as in SpmConverter.
   transformers is not installed here, so this is AlbertConverter's logic written out (no protobuf module:
   the model file is read with a small wire-format reader).
   Plus u1000_legacy (the first 700 lines): the same model in the layout older transformers wrote
   (pre_tokenizer Sequence[WhitespaceSplit, Metaspace(add_prefix_space)]), as 2020 hub files have it.
   Plus d1000: a model trained with numbers in its text, so that pieces such as "0," exist (the fixture
   models have none) and the fast tokenizer's digit-comma behaviour (those pieces score -100) shows
   against the slow one's (re-split), on json/numbers.jsonl; its rows also carry the slow tokenizer's ids
   (../shared/tools/albert_ref.py, as scripts/make_tokenizer_fixtures.py).
2. Runs HF's own tokenizers library (the npm package `tokenizers`, the Rust library's Node binding) over
   tests/fixtures/tokenizer/lines.jsonl: scripts/tokenizer-json/encode.js writes ids, tokens, offsets
   (UTF-16), type ids and decodes per line, plus pairs.

Needs /usr/bin/python3 and node with `npm install tokenizers` in scripts/tokenizer-json (or NODE_PATH).
Usage: scripts/make_tokenizer_json_fixtures.py
"""
import base64
import gzip
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "tests/fixtures/tokenizer"
OUT = SRC / "json"

# (fixture name, model, keep_accents, do_lower_case)
CONFIGS = [("u1000", "u1000", False, True), ("u3000_cased", "u3000", True, False), ("bf2000", "bf2000", False, True)]

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, wt, v


def read_model(path):
    pieces, trainer, normalizer = [], {}, {}
    for num, wt, v in fields(Path(path).read_bytes()):
        if num == 1:
            p = {"piece": "", "score": 0.0, "type": NORMAL}
            for n2, w2, v2 in fields(v):
                if n2 == 1:
                    p["piece"] = v2.decode("utf-8")
                elif n2 == 2:
                    p["score"] = struct.unpack("<f", v2)[0]
                elif n2 == 3:
                    p["type"] = v2
            pieces.append(p)
        elif num == 2:
            trainer = {n2: v2 for n2, w2, v2 in fields(v)}
        elif num == 3:
            normalizer = {n2: v2 for n2, w2, v2 in fields(v)}
    return pieces, trainer, normalizer


def check_number_comma(piece):
    return len(piece) < 2 or piece[-1] != "," or not piece[-2].isdigit()


def added(id_, content, special=True, lstrip=False):
    return {"id": id_, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": False, "special": special}


def convert(model_path, keep_accents, do_lower_case):
    pieces, trainer, normalizer = read_model(model_path)
    ids = {p["piece"]: i for i, p in enumerate(pieces)}
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == UNKNOWN)
    byte_fallback = bool(trainer.get(35, 0))
    norms = [{"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
             {"type": "Replace", "pattern": {"String": "''"}, "content": '"'}]
    if not keep_accents:
        norms += [{"type": "NFKD"}, {"type": "StripAccents"}]
    if do_lower_case:
        norms.append({"type": "Lowercase"})
    charsmap = normalizer.get(2, b"")
    if charsmap:
        norms.append({"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii")})
    norms.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    # SpmConverter: control (3) and user-defined (4) pieces become added tokens; then AlbertTokenizerFast's
    # special tokens (mask with lstrip)
    specials = {"[CLS]", "[SEP]", "<unk>", "<pad>", "[MASK]"}
    added_tokens = {}
    for i, p in enumerate(pieces):
        if p["type"] in (CONTROL, USER_DEFINED):
            added_tokens[p["piece"]] = added(i, p["piece"], special=p["type"] == CONTROL or p["piece"] in specials)
    for t in ["<unk>", "<pad>", "[CLS]", "[SEP]", "[MASK]"]:
        added_tokens[t] = added(ids[t], t, lstrip=t == "[MASK]")
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": sorted(added_tokens.values(), key=lambda a: a["id"]),
        "normalizer": {"type": "Sequence", "normalizers": norms},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ["[CLS]", "[SEP]"]},
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {
            "type": "Unigram",
            "unk_id": unk_id,
            "vocab": [[p["piece"], p["score"] if check_number_comma(p["piece"]) else p["score"] - 100] for p in pieces],
            "byte_fallback": byte_fallback,
        },
    }


def train_d1000(shared: Path, model_path: Path):
    rng = random.Random(27)
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "train.txt"
        with open(sample, "w", encoding="utf-8") as w:
            for f in sorted((shared / "data/corpus").glob("*.txt")):
                for i, line in enumerate(open(f, encoding="utf-8")):
                    if i % 13 == 0:
                        w.write(line)
            for _ in range(20000):
                w.write(f"in {rng.randint(1000, 2030)}, about {rng.randint(0, 10**rng.randint(3, 9)):,} men, "
                        f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}, and {rng.randint(0, 9)},\n")
        subprocess.run(["spm_train", f"--input={sample}", "--model_type=unigram", "--control_symbols=[CLS],[SEP],[MASK]",
                        "--pad_id=0", "--unk_id=1", "--bos_id=-1", "--eos_id=-1", "--unk_piece=<unk>", "--pad_piece=<pad>",
                        "--input_sentence_size=60000", "--shuffle_input_sentence=true", "--num_threads=2", "--minloglevel=2",
                        "--vocab_size=1000", "--character_coverage=0.9995", f"--model_prefix={Path(tmp) / 'd1000'}"], check=True)
        model_path.write_bytes((Path(tmp) / "d1000.model").read_bytes())


def number_lines(shared: Path):
    rng = random.Random(28)
    lines = ["1,000", "9,", "0,", "1,000,000 dollars", "In 1999, we left.", "10,000 men,", "12,34,56,", "3,14",
             "pages 5,6, and 7,", "He paid $1,250.50, then left", "  12,  ", "x7,y", "1,a", "²,", "٣,", "①,"]
    for _ in range(300):
        n = rng.randint(0, 10 ** rng.randint(1, 10))
        lines.append(rng.choice(["", "In ", "about ", "$", "the year "]) + f"{n:,}" + rng.choice(["", ",", ", and", " men,", ".", ",000"]))
    for _ in range(100):
        lines.append(" ".join(f"{rng.randint(0, 99)}," * rng.randint(1, 4) for _ in range(rng.randint(1, 3))))
    corpus = []
    for f in sorted((shared / "data/corpus").glob("*.txt")):
        for line in open(f, encoding="utf-8"):
            line = line.rstrip("\n")
            if 1 <= len(line) <= 300 and any(c.isdigit() for c in line):
                corpus.append(line)
    return lines + rng.sample(corpus, min(200, len(corpus)))


def run_node(tokenizer_json: Path, lines: Path, out: Path, pairs=None):
    env = dict(os.environ)
    env["NODE_PATH"] = env.get("NODE_PATH", str(REPO / "scripts/tokenizer-json/node_modules"))
    args = ["node", str(REPO / "scripts/tokenizer-json/encode.js"), str(tokenizer_json), str(lines), str(out)]
    subprocess.run(args + ([str(pairs)] if pairs else []), check=True, env=env)


def write_gz(path: Path, data: bytes):
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data)


def make_d1000(shared: Path):
    sys.path.insert(0, str(shared / "tools"))
    sys.path.insert(0, str(REPO / "scripts"))
    from albert_ref import AlbertTokenizerRef
    from make_tokenizer_fixtures import hf_tokenize

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "d1000.model"
        train_d1000(shared, model)
        write_gz(OUT / "d1000.model.gz", model.read_bytes())
        lines = number_lines(shared)
        (OUT / "numbers.jsonl").write_text("".join(json.dumps(t, ensure_ascii=True) + "\n" for t in lines), encoding="utf-8")
        tj = Path(tmp) / "tokenizer.json"
        data = json.dumps(convert(model, False, True), ensure_ascii=False, indent=2).encode("utf-8")
        tj.write_bytes(data)
        write_gz(OUT / "d1000.tokenizer.json.gz", data)
        rows_path = Path(tmp) / "rows.jsonl"
        run_node(tj, OUT / "numbers.jsonl", rows_path)
        slow = AlbertTokenizerRef(model)
        rows = []
        differ = 0
        for text, line in zip(lines, rows_path.read_text(encoding="utf-8").splitlines()):
            row = json.loads(line)
            row["slow_ids"] = slow.convert_tokens_to_ids(hf_tokenize(slow, text))
            differ += row["slow_ids"] != row["ids"][1:-1]
            rows.append(json.dumps(row, ensure_ascii=False) + "\n")
        write_gz(OUT / "d1000.jsonl.gz", "".join(rows).encode("utf-8"))
        print("d1000:", len(lines), "lines,", differ, "where fast and slow ids differ")


def legacy(tj):
    """The layout older transformers (2020, e.g. hub albert-base-v2) wrote: WhitespaceSplit then Metaspace with
    add_prefix_space instead of prepend_scheme."""
    tj = json.loads(json.dumps(tj))
    tj["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True}]}
    tj["decoder"] = {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True}
    return tj


def make_legacy(lines_limit=700):
    with tempfile.TemporaryDirectory() as tmp:
        data = json.dumps(legacy(convert(SRC / "u1000.model", False, True)), ensure_ascii=False, indent=2).encode("utf-8")
        tj = Path(tmp) / "tokenizer.json"
        tj.write_bytes(data)
        write_gz(OUT / "u1000_legacy.tokenizer.json.gz", data)
        lines = Path(tmp) / "lines.jsonl"
        lines.write_text("".join((SRC / "lines.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:lines_limit]), encoding="utf-8")
        rows = Path(tmp) / "rows.jsonl"
        run_node(tj, lines, rows)
        write_gz(OUT / "u1000_legacy.jsonl.gz", rows.read_bytes())
        print("u1000_legacy:", lines_limit, "lines")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    make_legacy()
    make_d1000(REPO.parent / "shared")
    for name, model, keep_accents, do_lower_case in CONFIGS:
        tj = convert(SRC / f"{model}.model", keep_accents, do_lower_case)
        data = json.dumps(tj, ensure_ascii=False, indent=2).encode("utf-8")
        plain = OUT / f"{name}.tokenizer.json"
        plain.write_bytes(data)
        env = dict(os.environ)
        env["NODE_PATH"] = env.get("NODE_PATH", str(REPO / "scripts/tokenizer-json/node_modules"))
        subprocess.run(["node", str(REPO / "scripts/tokenizer-json/encode.js"), str(plain), str(SRC / "lines.jsonl"),
                        str(OUT / f"{name}.jsonl"), str(SRC / "pairs_u1000.jsonl")], check=True, env=env)
        with open(OUT / f"{name}.tokenizer.json.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(data)
        plain.unlink()
        rows = (OUT / f"{name}.jsonl").read_bytes()
        with open(OUT / f"{name}.jsonl.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(rows)
        (OUT / f"{name}.jsonl").unlink()
        print(name, "done")


if __name__ == "__main__":
    main()
