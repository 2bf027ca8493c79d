#!/usr/bin/env python3
"""Makes the gradient fixtures tests/fixtures/grads-*/ with the HF reference (../shared/tools).

Like scripts/make_fixtures.py (model folder, inputs.json with labels, expected.safetensors from albert_run.py),
but expected.safetensors also holds grad.<name> — d loss / d parameter — for every parameter HF saves, so the
TorchSharp backend's backward is checked tensor by tensor. Covers shared groups with inner layers (gradients
accumulated over the layers that share a group), padding with an interior hole, a sequence-classification head
and the QA head (clamped, ignored positions).

usage: /usr/bin/python3 scripts/make_grad_fixtures.py [--shared ../shared]
"""
import argparse
import json
import random
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
args = ap.parse_args()
sys.path.insert(0, str(Path(args.shared) / "tools"))

import torch  # noqa: E402
import albert_ref as ref  # noqa: E402
import albert_run  # noqa: E402
import safetensors_io as st  # noqa: E402

HEAD_CLASS = {"pretraining": "AlbertForPreTraining", "sequence-classification": "AlbertForSequenceClassification",
              "question-answering": "AlbertForQuestionAnswering"}
BASE = dict(vocab_size=61, embedding_size=10, hidden_size=20, num_hidden_layers=3, num_hidden_groups=1,
            num_attention_heads=4, intermediate_size=23, inner_group_num=1, hidden_act="gelu_new",
            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, max_position_embeddings=32,
            type_vocab_size=2, initializer_range=0.2, layer_norm_eps=1e-12, pad_token_id=0,
            bos_token_id=2, eos_token_id=3, position_embedding_type="absolute", model_type="albert")


def padded_inputs(rng, cfg, lengths, seq, hole=None):
    ids, mask, types = [], [], []
    for n in lengths:
        row = [2] + [rng.randrange(5, cfg["vocab_size"]) for _ in range(n - 2)] + [3]
        ids.append(row + [0] * (seq - n))
        mask.append([1] * n + [0] * (seq - n))
        cut = max(1, n // 2)
        types.append([0] * cut + [1] * (n - cut) + [0] * (seq - n))
    if hole:
        mask[hole[0]][hole[1]] = 0
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def make(name, head, overrides, inputs_fn, seed):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    cfg = dict(BASE, **overrides)
    cfg["architectures"] = [HEAD_CLASS[head]]
    folder = Path(args.out) / name
    folder.mkdir(parents=True, exist_ok=True)
    config = ref.AlbertConfig.from_dict(cfg)
    model = getattr(ref, HEAD_CLASS[head])(config)
    sd = {k: v.detach().contiguous() for k, v in model.hf_state_dict().items()}
    (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    st.save_file(sd, folder / "model.safetensors", {"format": "pt"})
    (folder / "inputs.json").write_text(json.dumps(inputs_fn(rng, cfg)) + "\n")
    albert_run.main(["--model", str(folder), "--inputs", str(folder / "inputs.json"),
                     "--output", str(folder / "expected.safetensors"), "--head", head, "--grads", ",".join(sorted(sd))])


def pretraining_inputs(rng, cfg):
    d = padded_inputs(rng, cfg, [9, 6, 8], 9, hole=(2, 4))
    d["labels"] = [[(rng.randrange(cfg["vocab_size"]) if m and rng.random() < 0.35 else -100) for m in row] for row in d["attention_mask"]]
    d["labels"][0][1] = 7
    d["sentence_order_label"] = [1, 0, 1]
    return d


# shared groups: 5 layers over 2 groups (not divisible), 2 inner layers each, erf GELU
make("grads-grouped", "pretraining", dict(num_hidden_layers=5, num_hidden_groups=2, inner_group_num=2, hidden_act="gelu"), pretraining_inputs, seed=21)
make("grads-seqcls", "sequence-classification", dict(hidden_act="gelu_new", id2label={"0": "a", "1": "b", "2": "c"}, label2id={"a": 0, "b": 1, "c": 2}),
     lambda rng, cfg: dict(padded_inputs(rng, cfg, [8, 5, 7, 3], 8), labels=[2, 0, 1, 1]), seed=22)
make("grads-qa", "question-answering", dict(num_hidden_layers=2, hidden_act="relu"),
     lambda rng, cfg: dict(padded_inputs(rng, cfg, [8, 6, 5], 8), start_positions=[1, 30, -2], end_positions=[5, 2, 7]), seed=23)
print("done")
