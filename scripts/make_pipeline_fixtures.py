#!/usr/bin/env python3
"""Fixtures for the task pipelines (fill-mask, classify, QA, token classification, multiple choice): small
random-weight models whose vocabulary is a real SentencePiece model (tests/fixtures/tokenizer/u1000.model), and the
expected pipeline results computed with the HF reference (albert_ref.py: AlbertTokenizerRef + AlbertFor*) and HF's
pipeline post-processing written out here (softmax over the vocabulary at the mask, top-k; softmax over labels;
TokenClassificationPipeline's aggregation "none" and "simple"; softmax over AlbertForMultipleChoice's choice logits).

The expected scores are computed in float64 from the saved float32 weights: the exact answer. (One float32 torch run
is itself ~1e-5 off on a small class probability, and two torch builds disagree by that much, so a float32 run
cannot be the oracle of a 1e-5 test.)

usage: /usr/bin/python3 scripts/make_pipeline_fixtures.py [--shared ../shared] [--expected-only] [--only a,b]
  --expected-only: keep the committed models, recompute only the *_expected.json files
  --only: make only these fixtures (e.g. pipeline-tokcls,pipeline-mc); the others stay byte-identical
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
ap.add_argument("--expected-only", action="store_true")
ap.add_argument("--only", default=None, help="comma-separated fixture names (default: all)")
a = ap.parse_args()
sys.path.insert(0, str(Path(a.shared) / "tools"))
import numpy as np  # noqa: E402
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


def fixture_mlm():
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


def fixture_sst2():
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


def fixture_qa():
    folder, qa = make("pipeline-qa", "AlbertForQuestionAnswering", dict(BASE, architectures=["AlbertForQuestionAnswering"]), 23)


TOKCLS_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def offsets_of(text, pieces):
    """The character span of each piece in text, as our tokenizer (and HF's fast tokenizers) report them: a leading
    "▁" is not part of a span, a lone "▁" covers the space it stands for ((c, c) where there is none). Only for texts
    whose preprocessing moves no character (single spaces, no accents, length-preserving lower-casing)."""
    norm = tok.preprocess_text(text)
    assert norm == text.lower(), f"preprocessing moves characters of {text!r}"
    spans, c = [], 0
    for p in pieces:
        if p.startswith("▁"):
            if c < len(norm) and norm[c] == " ":
                if p == "▁":
                    spans.append((c, c + 1))
                    c += 1
                    continue
                c += 1
            elif p == "▁":
                spans.append((c, c))
                continue
            p = p[1:]
        assert norm.startswith(p, c), f"{p!r} not at {c} of {norm!r}"
        spans.append((c, c + len(p)))
        c += len(p)
    assert c == len(norm)
    return spans


def convert_tokens_to_string(tokens):
    # HF AlbertTokenizer.convert_tokens_to_string without special tokens (the pipeline drops them): decode, strip
    return tok.sp_model.decode(tokens).strip()


def get_tag(name):
    # TokenClassificationPipeline.get_tag
    if name.startswith("B-"):
        return "B", name[2:]
    if name.startswith("I-"):
        return "I", name[2:]
    return "I", name


def group_sub_entities(entities):
    # TokenClassificationPipeline.group_sub_entities
    return {"entity_group": entities[0]["entity"].split("-", 1)[-1],
            "score": float(np.mean(np.nanmean([e["score"] for e in entities]))),
            "word": convert_tokens_to_string([e["word"] for e in entities]),
            "start": entities[0]["start"], "end": entities[-1]["end"]}


def group_entities(entities):
    # TokenClassificationPipeline.group_entities
    groups, current = [], []
    for e in entities:
        if not current:
            current.append(e)
            continue
        bi, tag = get_tag(e["entity"])
        _, last_tag = get_tag(current[-1]["entity"])
        if tag == last_tag and bi != "B":
            current.append(e)
        else:
            groups.append(group_sub_entities(current))
            current = [e]
    if current:
        groups.append(group_sub_entities(current))
    return groups


def token_classification(model, text, ignore_labels=("O",)):
    """TokenClassificationPipeline (fast-tokenizer offsets) for aggregation "none" and "simple", in float64."""
    pieces = tok.tokenize(text)
    ids = tok.build_inputs_with_special_tokens(tok.convert_tokens_to_ids(pieces))
    special = tok.get_special_tokens_mask(ids[1:-1])
    offsets = [(0, 0)] + offsets_of(text, pieces) + [(0, 0)]
    logits = model(input_ids=torch.tensor([ids]))["logits"][0].numpy()
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    scores = shifted / shifted.sum(axis=-1, keepdims=True)
    entities = []
    for idx, token_scores in enumerate(scores):
        if special[idx]:
            continue
        word = tok.convert_ids_to_tokens([ids[idx]])[0]
        start, end = offsets[idx]
        if ids[idx] == tok.unk_token_id:
            word = text[start:end]
        k = int(token_scores.argmax())
        entities.append({"entity": TOKCLS_LABELS[k], "score": float(token_scores[k]), "index": idx, "word": word,
                         "start": start, "end": end})
    none = [e for e in entities if e["entity"] not in ignore_labels]
    simple = [g for g in group_entities(entities) if g["entity_group"] not in ignore_labels]
    return {"text": text, "input_ids": ids, "none": none, "simple": simple,
            "all_labels": [e["entity"] for e in entities]}


def fixture_tokcls():
    cfg = dict(BASE, architectures=["AlbertForTokenClassification"],
               id2label={str(i): l for i, l in enumerate(TOKCLS_LABELS)}, label2id={l: i for i, l in enumerate(TOKCLS_LABELS)})
    # seed 51: every label wins somewhere, and the model is well-conditioned enough for a 1e-5 test (see below)
    folder, model = make("pipeline-tokcls", "AlbertForTokenClassification", cfg, 51)
    texts = ["John Smith lives in New-York, near Lake Erie!", "Mary visited Paris (France) and Berlin.",
             "Tom met 中 in Rome.", "the quick brownish fox jumped over zyxwv qqq."]
    with torch.no_grad():
        expected = [token_classification(model, t) for t in texts]
        # every token's score is compared, so a float32 run must be far inside the test's 1e-5 on all of them
        model.float()
        for e in expected:
            probs = model(input_ids=torch.tensor([e["input_ids"]]))["logits"][0].double().softmax(-1)
            for t in e["none"]:
                rel = abs(float(probs[t["index"]].max()) - t["score"]) / t["score"]
                assert rel < 5e-6, f"float32 is {rel:.1e} off at {e['text']!r} token {t['index']}: pick another seed"
    (folder / "token_classification_expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")


def fixture_mc():
    folder, model = make("pipeline-mc", "AlbertForMultipleChoice", dict(BASE, architectures=["AlbertForMultipleChoice"]), 25)
    questions = [("The cat sat on the", ["mat.", "moon, far away.", "idea"]),
                 ("She poured the coffee into a", ["cup", "shoe that was old", "river."]),
                 ("Which city is in France?", ["Paris", "Berlin", "Rome and Milan"])]
    expected = []
    with torch.no_grad():
        for prompt, choices in questions:
            # HF's multiple-choice examples: tokenizer([prompt] * k, choices) padded to the longest, viewed (1, k, seq)
            enc = [tok.encode_plus(prompt, c) for c in choices]
            seq = max(len(e["input_ids"]) for e in enc)

            def padded(key, value):
                return torch.tensor([[e[key] + [value] * (seq - len(e[key])) for e in enc]])

            logits = model(input_ids=padded("input_ids", tok.pad_token_id), attention_mask=padded("attention_mask", 0),
                           token_type_ids=padded("token_type_ids", 0))["logits"][0]
            probs = logits.softmax(-1)
            expected.append({"prompt": prompt, "choices": choices, "input_ids": [e["input_ids"] for e in enc],
                             "logits": [float(x) for x in logits], "scores": [float(x) for x in probs],
                             "best": int(probs.argmax())})
    (folder / "multiple_choice_expected.json").write_text(json.dumps(expected, indent=1) + "\n")


FIXTURES = {"pipeline-mlm": fixture_mlm, "pipeline-sst2": fixture_sst2, "pipeline-qa": fixture_qa,
            "pipeline-tokcls": fixture_tokcls, "pipeline-mc": fixture_mc}
only = a.only.split(",") if a.only else list(FIXTURES)
unknown = [n for n in only if n not in FIXTURES]
if unknown:
    sys.exit(f"unknown fixture(s) {', '.join(unknown)}; known: {', '.join(FIXTURES)}")
for name in only:
    FIXTURES[name]()
print("done")
