#!/usr/bin/env python3
"""Turns a distill.py result into an HF ALBERT model folder (docs/decisions.md D49).

    python3 scripts/gpu-distill/finish.py --run RUN_DIR --teacher artifacts/teacher --out DIR

RUN_DIR holds distill.py's model.fp16.safetensors (or give the file with --weights). Writes DIR with config.json (the
teacher's, with the student's embedding_size and num_hidden_groups read off the weights, as distill.py builds it),
model.safetensors (float32), and the teacher's tokenizer and sentence-transformers files: the folder `albertgen
albertize --student DIR` continues from and every verb loads. Only numpy is needed.
"""

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tensorfile  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--weights", default=None)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    weights = a.weights or os.path.join(a.run, "model.fp16.safetensors")
    tensors = tensorfile.read(weights, "F16")
    os.makedirs(a.out, exist_ok=True)
    tensorfile.write(os.path.join(a.out, "model.safetensors"), tensors, "F32")
    prefix = "albert.encoder.albert_layer_groups."
    with open(os.path.join(a.teacher, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    config.update(embedding_size=int(tensors["albert.embeddings.word_embeddings.weight"].shape[1]),
                  num_hidden_groups=len({n[len(prefix):].split(".")[0] for n in tensors if n.startswith(prefix)}),
                  inner_group_num=1, architectures=["AlbertModel"])
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
                 "sentence_bert_config.json", "config_sentence_transformers.json"):
        src = os.path.join(a.teacher, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(a.out, name))
    for sub in ("1_Pooling", "2_Normalize"):
        src = os.path.join(a.teacher, sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(a.out, sub), dirs_exist_ok=True)
    print(f"{a.out}: {sum(t.size for t in tensors.values())} parameters")


if __name__ == "__main__":
    main()
