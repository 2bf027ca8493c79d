#!/usr/bin/python3
"""Reproducible tokenizer fixtures: tests/fixtures/tokenizer/.

Steps (each skipped when its output exists, unless --retrain):
  1. train three small ALBERT-like SentencePiece Unigram models with spm_train on a sample of
     ../shared/data/corpus (u1000, u3000 with character_coverage 1.0, bf2000 with byte_fallback);
  2. write lines.jsonl: ~2000 texts (corpus paragraphs, crafted edge cases, seeded random mixes);
  3. write expected outputs of HF's slow AlbertTokenizer (the port in ../shared/tools/albert_ref.py,
     plus the added-token splitting and decode that HF's PreTrainedTokenizer does around it) and of
     raw sentencepiece (== spm_encode) as gzip'd JSON lines.

Needs /usr/bin/python3 with python3-sentencepiece and torch (albert_ref imports it), and spm_train.
Usage: scripts/make_tokenizer_fixtures.py [--shared ../shared] [--retrain]
"""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests/fixtures/tokenizer"

MODELS = {
    "u1000": ["--vocab_size=1000", "--character_coverage=0.9995"],
    "u3000": ["--vocab_size=3000", "--character_coverage=1.0"],
    "bf2000": ["--vocab_size=2000", "--character_coverage=0.9995", "--byte_fallback=true"],
}

# (fixture name, model, AlbertTokenizer options)
CONFIGS = [
    ("u1000", "u1000", dict()),
    ("u3000", "u3000", dict()),
    ("u3000_cased", "u3000", dict(do_lower_case=False, keep_accents=True, remove_space=False)),
    ("bf2000", "bf2000", dict()),
]

SPECIALS = ["[CLS]", "[SEP]", "<unk>", "<pad>", "[MASK]"]  # AlbertTokenizer.all_special_tokens


def train(shared: Path):
    sample = OUT / "_train.txt"
    with open(sample, "w", encoding="utf-8") as w:
        for f in sorted((shared / "data/corpus").glob("*.txt")):
            for i, line in enumerate(open(f, encoding="utf-8")):
                if i % 7 == 0:
                    w.write(line)
    common = ["spm_train", f"--input={sample}", "--model_type=unigram", "--control_symbols=[CLS],[SEP],[MASK]",
              "--pad_id=0", "--unk_id=1", "--bos_id=-1", "--eos_id=-1", "--unk_piece=<unk>", "--pad_piece=<pad>",
              "--input_sentence_size=60000", "--shuffle_input_sentence=true", "--num_threads=2", "--minloglevel=2",
              "--seed_sentencepiece_size=1000000"]
    for name, args in MODELS.items():
        subprocess.run(common + [f"--model_prefix={OUT / name}"] + args, check=True)
        (OUT / f"{name}.vocab").unlink()
    sample.unlink()


CRAFTED = [
    "", " ", "   ", "\t\n", "Hello world", "  Hello   world  ", "hello\tworld\nagain",
    "1,000", "9,", "1,000,000 dollars", "In 1999, we left.", "3,14", "a9,b", "²,", "٣,", "①,", "12,34,56,",
    "pages 5,6, and 7,", "He paid $1,250.50, then left", ",,,", "9,9,9,", "0,", " 7,", "x7,y", "1,a", "10,000 men,",
    "``Hello,'' she said.", "`single' quotes", "''''", "``''", "````", "'''", "He said ``no''.", "`` spaced ''",
    "Café naïve résumé", "Ångström", "ÉCOLE FRANÇAISE", "İstanbul", "ΟΔΟΣ", "straße STRASSE", "ﬁne ﬂower ligatures",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "½ ¼ ¾", "™ ℃ № ℌ", "x² + y³", "Øresund", "Œuvre", "ǅ Ǆ ǆ", "ﬀ ﬃ",
    "中文分词测试", "日本語のテキストです。", "한국어 텍스트", "混合 mixed 文本 text", "、。「」", "（括弧）",
    "😀 👍🏽 👨‍👩‍👧", "❤️ ❤", "🇺🇸🇫🇷", "I ❤ NY", "emoji😀inside", "🙂🙂🙂",
    "a\u3000b", "a\u00a0b", "a\u2028b", "\u200bzero width", "a\x1cb", "a\u0085b", "a\u2009thin\u200aspace",
    "tab\tseparated", "multi\n\nline", "trailing  ", "  leading", "\u3000ideographic\u3000",
    "\x00null", "bell\x07", "back\x08space", "del\x7f", "\u202eright to left", "\ufeffbom", "soft\u00adhyphen",
    "zw\u200djoiner", "\x01\x02\x03", "ctrl\x1b[31m", "\ufffd replacement",
    "e\u0301", "a\u0300\u0316", "Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d\u0308\u0307lgo", "\u0301 leading combining",
    "n\u0303", "\u0915\u094d\u0937", "\u0e01\u0e34", "ค่ะ", "Ελληνικά", "Русский текст", "עברית", "العربية",
    "hello [MASK] world", "[CLS] text [SEP]", "[MASK][MASK]", "a[MASK]b", "<unk> and <pad>", "[mask] lowercase",
    "  [MASK]  spaced", "[MASK]", "[SEP]", "end [MASK]", "[MASK]!", "Paris is the [MASK] of France.", "[UNK] [PAD]",
    "☃☃☃", "ᚠᛇᚻ runes", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𐐀𐐁 Deseret", "𝐁𝐨𝐥𝐝", "\U0001F600\U0001F601",
    "don't won't can't", "It's ten o'clock.", "e-mail: someone@example.com", "http://example.com/a?b=c&d=e",
    "C++ and C#", "#hashtag @mention", "100% (approx.)", "3.14159", "1/2", "−5 °C", "Mr. & Mrs. Smith",
    "...", "?!", "—dash—", "‘curly’ “quotes”", "«guillemets»", "x" * 300, "word " * 200,
]

POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789,,,.", "  ", " .,;:!?'\"()-",
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÇÉÑÖÜß",
    "αβγδεζηθΣΩ", "абвгдежзийклмнопРСТУ",
    "".join(chr(c) for c in range(0x4E00, 0x4E00 + 200, 3)),
    "".join(chr(c) for c in range(0x3041, 0x3096, 2)),
    "".join(chr(c) for c in range(0xAC00, 0xAC00 + 400, 7)),
    "".join(chr(c) for c in range(0x1F600, 0x1F650, 2)) + "\u200d\U0001F3FD\ufe0f",
    "".join(chr(c) for c in range(0x0300, 0x0370, 5)),
    "\t\u00a0\u3000\u2009\n\x1c\u2028\u200b",
    "\x00\x01\x07\x1b\x7f\u200d\ufeff\u202e\u00ad",
    "`'``''\"",
    "".join(chr(c) for c in range(0xFF01, 0xFF5E, 3)),
    "".join(chr(c) for c in range(0x1D400, 0x1D4FF, 9)),
    "ﬁﬂ½²³ℌ™№",
]
TOKENS = ["[MASK]", "[CLS]", "[SEP]", "<unk>", "<pad>", "1,000", "9,", "``", "''", " the ", " and "]


def random_lines(n, rng):
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.1:
                parts.append(rng.choice(TOKENS))
            else:
                pool = rng.choice(POOLS)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
            if rng.random() < 0.5:
                parts.append(" ")
        out.append("".join(parts))
    return out


def corpus_lines(shared: Path, n, rng):
    lines = []
    for f in sorted((shared / "data/corpus").glob("*.txt")):
        for line in open(f, encoding="utf-8"):
            line = line.rstrip("\n")
            if 1 <= len(line) <= 600:
                lines.append(line)
    return rng.sample(lines, n)


def make_lines(shared: Path):
    rng = random.Random(5)
    lines = list(CRAFTED) + random_lines(350, rng) + corpus_lines(shared, 1500, rng)
    long = " ".join(corpus_lines(shared, 40, rng))
    lines.append(long)
    return lines


def trie_split(text):
    """HF Trie.split over the special tokens: leftmost-longest matches."""
    chunks, start, i = [], 0, 0
    while i < len(text):
        match = None
        for t in SPECIALS:
            if text.startswith(t, i) and (match is None or len(t) > len(match)):
                match = t
        if match:
            if i > start:
                chunks.append(text[start:i])
            chunks.append(match)
            i += len(match)
            start = i
        else:
            i += 1
    if start < len(text):
        chunks.append(text[start:])
    return chunks


def hf_tokenize(tok, text):
    """PreTrainedTokenizer.tokenize: per-char lower-casing that skips special tokens, added-token
    split ([MASK] is AddedToken(lstrip=True); the others strip nothing), then _tokenize per chunk."""
    chunks = trie_split(text)
    if tok.do_lower_case:
        chunks = [c if c in SPECIALS else "".join(ch if ch == "\n" else ch.lower() for ch in c) for c in chunks]
    for i, c in enumerate(chunks):
        if c == "[MASK]" and i > 0 and chunks[i - 1] not in SPECIALS:
            chunks[i - 1] = chunks[i - 1].rstrip()
    out = []
    for c in chunks:
        if not c:
            continue
        if c in SPECIALS:
            out.append(c)
        else:
            out.extend(tok._tokenize(c))
    return out


def clean_up(text):
    return (text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
            .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
            .replace(" 've", "'ve").replace(" 're", "'re"))


def hf_decode(tok, ids, skip_special_tokens):
    """PreTrainedTokenizer._decode + AlbertTokenizer.convert_tokens_to_string, clean_up_tokenization_spaces=True."""
    special_ids = {tok.sp_model.PieceToId(t) for t in SPECIALS}
    tokens = [tok.sp_model.IdToPiece(i) for i in ids if not (skip_special_tokens and i in special_ids)]
    current, out, prev_special = [], "", False
    for t in tokens:
        if t in SPECIALS:
            if not prev_special:
                out += " "
            out += tok.sp_model.decode(current) + t
            prev_special, current = True, []
        else:
            current.append(t)
            prev_special = False
    out += tok.sp_model.decode(current)
    return clean_up(out.strip())


def truncate(ids0, ids1, max_length, strategy):
    """PreTrainedTokenizerBase.truncate_sequences (stride 0) as called by prepare_for_model."""
    total = len(ids0) + (len(ids1) if ids1 is not None else 0) + (3 if ids1 is not None else 2)
    n = total - max_length
    if n <= 0:
        return ids0, ids1
    if strategy == "only_first" or (strategy == "longest_first" and ids1 is None):
        if len(ids0) > n:
            ids0 = ids0[:-n]
    elif strategy == "longest_first":
        for _ in range(n):
            if ids1 is None or len(ids0) > len(ids1):
                ids0 = ids0[:-1]
            else:
                ids1 = ids1[:-1]
    elif strategy == "only_second" and ids1 is not None:
        if len(ids1) > n:
            ids1 = ids1[:-n]
    return ids0, ids1


def write_gz(path, rows):
    # mtime=0 keeps the gzip bytes reproducible
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        for r in rows:
            f.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--retrain", action="store_true")
    a = ap.parse_args()
    shared = Path(a.shared)
    sys.path.insert(0, str(shared / "tools"))
    from albert_ref import AlbertTokenizerRef
    import sentencepiece as spm

    OUT.mkdir(parents=True, exist_ok=True)
    if a.retrain or not all((OUT / f"{m}.model").exists() for m in MODELS):
        train(shared)

    lines = make_lines(shared)
    with open(OUT / "lines.jsonl", "w", encoding="utf-8") as f:
        for t in lines:
            f.write(json.dumps(t, ensure_ascii=True) + "\n")

    # raw sentencepiece (what spm_encode prints), per model
    for m in MODELS:
        sp = spm.SentencePieceProcessor()
        sp.Load(str(OUT / f"{m}.model"))
        write_gz(OUT / f"spm_{m}.jsonl.gz",
                 [{"pieces": sp.encode(t, out_type=str), "ids": sp.encode(t, out_type=int)} for t in lines])

    for name, model, opts in CONFIGS:
        tok = AlbertTokenizerRef(OUT / f"{model}.model", **opts)
        rows = []
        for t in lines:
            pieces = hf_tokenize(tok, t)
            ids = tok.convert_tokens_to_ids(pieces)
            full = tok.build_inputs_with_special_tokens(ids)
            # pieces equal IdToPiece(id) except where an unknown run keeps its text: store only those
            unk = [[i, p] for i, (p, x) in enumerate(zip(pieces, ids)) if tok.sp_model.IdToPiece(x) != p]
            rows.append({"ids": ids, "unk_pieces": unk,
                         "decode": hf_decode(tok, full, False), "decode_skip": hf_decode(tok, full, True)})
        write_gz(OUT / f"hf_{name}.jsonl.gz", rows)
        print(name, len(rows), "lines")

    # pairs with truncation (u1000, default options)
    tok = AlbertTokenizerRef(OUT / "u1000.model")
    rng = random.Random(7)
    pair_rows = []
    for k in range(240):
        a_index, b_index = rng.randrange(len(lines)), rng.randrange(len(lines))
        a_text, b_text = lines[a_index], lines[b_index]
        single = k % 6 == 0
        max_length = rng.choice([2, 3, 5, 8, 16, 32, 64, 128])
        strategy = ["longest_first", "only_first", "only_second"][k % 3]
        ids0 = tok.convert_tokens_to_ids(hf_tokenize(tok, a_text))
        ids1 = None if single else tok.convert_tokens_to_ids(hf_tokenize(tok, b_text))
        t0, t1 = truncate(ids0, ids1, max_length, strategy)
        pair_rows.append({"a": a_index, "b": None if single else b_index, "max_length": max_length, "truncation": strategy,
                          "ids": tok.build_inputs_with_special_tokens(t0, t1),
                          "token_type_ids": tok.create_token_type_ids_from_sequences(t0, t1)})
    with open(OUT / "pairs_u1000.jsonl", "w", encoding="utf-8") as f:
        for r in pair_rows:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
    print("pairs", len(pair_rows))


if __name__ == "__main__":
    main()
