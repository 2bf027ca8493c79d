#!/usr/bin/python3
"""A fixed pretraining batch for the training-step benchmark: random ids (CLS … SEP), 15% MLM labels, SOP labels.
usage: make_inputs.py VOCAB BATCH SEQ OUT.json"""
import json
import random
import sys

vocab, batch, seq, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = random.Random(3)
ids, labels = [], []
for _ in range(batch):
    row = [2] + [rng.randrange(5, vocab) for _ in range(seq - 2)] + [3]
    lab = [-100] * seq
    for i in range(1, seq - 1):
        if rng.random() < 0.15:
            lab[i], row[i] = row[i], 4  # [MASK] = 4 in the default tokenizer
    ids.append(row)
    labels.append(lab)
types = [[0] * (seq // 2) + [1] * (seq - seq // 2) for _ in range(batch)]
json.dump({"input_ids": ids, "token_type_ids": types, "attention_mask": [[1] * seq for _ in range(batch)],
           "labels": labels, "sentence_order_label": [rng.randrange(2) for _ in range(batch)]}, open(out, "w"))
