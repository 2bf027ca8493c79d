#!/usr/bin/env python3
"""Fixtures for the task pipelines (fill-mask, classify): small random-weight models whose vocabulary is a real
SentencePiece model (tests/fixtures/tokenizer/u1000.model), and the expected pipeline results computed with the
HF reference (albert_ref.py: AlbertTokenizerRef + AlbertForMaskedLM / AlbertForSequenceClassification) and HF's
pipeline post-processing (softmax over the vocabulary at the mask, top-k; softmax over labels).

The expected scores are computed in float64 from the saved float32 weights: the exact answer. (One float32 torch run
is itself ~1e-5 off on a small class probability, and two torch builds disagree by that much, so a float32 run
cannot be the oracle of a 1e-5 test.)

usage: /usr/bin/python3 scripts/make_pipeline_fixtures.py [--shared ../shared] [--expected-only]
  --expected-only: keep the committed models, recompute only the *_expected.json files
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
ap.add_argument("--expected-only", action="store_true")
a = ap.parse_args()
sys.path.insert(0, str(Path(a.shared) / "tools"))
import torch  # noqa: E402
import albert_ref as ref  # noqa: E402
import safetensors_io as st  # noqa: E402

root = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
spm = root / "tokenizer" / "u1000.model"
tok = ref.AlbertTokenizerRef(str(spm))
BASE = dict(vocab_size=tok.vocab_size, embedding_size=16, hidden_size=32, num_hidden_layers=2, num_hidden_groups=1,
            num_attention_heads=4, intermediate_size=48, inner_group_num=1, hidden_act="gelu_new",
            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, max_position_embeddings=64, type_vocab_size=2,
            initializer_range=0.5, layer_norm_eps=1e-12, pad_token_id=0, model_type="albert", position_embedding_type="absolute")


def encode_with_masks(text):
    # HF splits "[MASK]" out first (lstrip: the space before it is eaten) and tokenizes the pieces between
    parts = text.split("[MASK]")
    ids = []
    for i, part in enumerate(parts):
        ids += tok.convert_tokens_to_ids(tok.tokenize(part)) if part.strip() else []
        if i < len(parts) - 1:
            ids.append(tok.mask_token_id)
    return tok.build_inputs_with_special_tokens(ids)


def make(name, cls, cfg, seed):
    """Creates (or with --expected-only, loads) the float32 model and returns it as float64 for the expectations."""
    torch.manual_seed(seed)
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    config = ref.AlbertConfig.from_dict(cfg)
    model = getattr(ref, cls)(config).eval()
    if a.expected_only:
        model.load_hf_state_dict({k: torch.from_numpy(v.copy()) for k, v in st.load_file(folder / "model.safetensors").items()})
    else:
        (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        st.save_file({k: v.detach().contiguous() for k, v in model.hf_state_dict().items()}, folder / "model.safetensors", {"format": "pt"})
        shutil.copy(spm, folder / "spiece.model")
    return folder, model.double()


folder, mlm = make("pipeline-mlm", "AlbertForMaskedLM", dict(BASE, architectures=["AlbertForMaskedLM"]), 21)
texts = ["the [MASK] was bright.", "she opened the [MASK] and looked out.", "[MASK] is the capital of france, [MASK] said."]
expected = []
with torch.no_grad():
    for t in texts:
        ids = encode_with_masks(t)
        logits = mlm(input_ids=torch.tensor([ids]))["logits"][0]
        masks = [p for p, i in enumerate(ids) if i == tok.mask_token_id]
        per_mask = []
        for p in masks:
            probs = logits[p].softmax(-1)
            top = probs.topk(5)
            per_mask.append([{"token_id": int(i), "token": tok.convert_ids_to_tokens([int(i)])[0], "score": float(s)} for s, i in zip(top.values, top.indices)])
        expected.append({"text": t, "input_ids": ids, "candidates": per_mask})
(folder / "fill_mask_expected.json").write_text(json.dumps(expected, indent=1) + "\n")

folder, clf = make("pipeline-sst2", "AlbertForSequenceClassification",
                   dict(BASE, architectures=["AlbertForSequenceClassification"], id2label={"0": "negative", "1": "positive"},
                        label2id={"negative": 0, "positive": 1}), 22)
texts = ["a gripping, funny film", "dull and far too long", "it is what it is."]
expected = []
with torch.no_grad():
    for t in texts:
        ids = tok.build_inputs_with_special_tokens(tok.convert_tokens_to_ids(tok.tokenize(t)))
        probs = clf(input_ids=torch.tensor([ids]))["logits"][0].softmax(-1)
        expected.append({"text": t, "input_ids": ids, "scores": {"negative": float(probs[0]), "positive": float(probs[1])}})
(folder / "classify_expected.json").write_text(json.dumps(expected, indent=1) + "\n")

folder, qa = make("pipeline-qa", "AlbertForQuestionAnswering", dict(BASE, architectures=["AlbertForQuestionAnswering"]), 23)
print("done")
