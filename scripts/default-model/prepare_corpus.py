#!/usr/bin/env python3
"""Step 1 of the default-model recipe: the text the SentencePiece model is trained on.

Applies HF AlbertTokenizer's preprocessing (do_lower_case, remove_space, strip accents, `` '' → ") to every
paragraph of ../shared/data/corpus/*.txt, so the pieces the tokenizer learns are the pieces it will see, and
writes one paragraph per line. usage: prepare_corpus.py CORPUS_DIR OUT.txt
"""
import sys
import unicodedata
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])
with out.open("w", encoding="utf-8") as f:
    for book in sorted(src.glob("*.txt")):
        for line in book.read_text(encoding="utf-8").splitlines():
            line = " ".join(line.strip().split())
            if not line:
                continue
            line = line.replace("``", '"').replace("''", '"')
            line = unicodedata.normalize("NFKD", line)
            line = "".join(c for c in line if not unicodedata.combining(c)).lower()
            f.write(line + "\n")
