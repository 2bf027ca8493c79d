#!/usr/bin/python3
"""Fixtures for the BERT → ALBERT converter and the sentence-transformers folder (docs/decisions.md D31, D32).

tests/fixtures/bert/tiny: a tiny random BERT as HF writes BertModel (config.json model_type bert, model.safetensors
with BERT names, a vocab.txt with CRLF line ends and a UTF-8 BOM, as some publishers ship it), inputs.json, and
expected.safetensors: last_hidden_state and pooler_output computed by the BERT forward below (numpy, float64), written
from HF's modeling_bert.py (BertEmbeddings, BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput,
BertPooler), NOT through the ALBERT reference: the converter's claim is that the ALBERT of the converted folder
computes what this BERT computes.

tests/fixtures/bert/st-folder: the same weights as a sentence-transformers folder (modules.json, 1_Pooling/config.json,
2_Normalize, sentence_bert_config.json) and expected sentence embeddings of a few texts for cls / mean / max pooling
(normalized, truncated to max_seq_length), pooled by numpy from this BERT's hidden states as sentence-transformers'
Pooling module does; the token ids come from the vocabulary by a whitespace split the texts are chosen for.

Usage: /usr/bin/python3 scripts/make_bert_fixtures.py   (needs numpy; ../shared/tools/safetensors_io.py)
"""
import json
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools"))
import safetensors_io  # noqa: E402

H, L, NH, FF, V, P, T = 32, 2, 4, 37, 40, 64, 2
EPS = 1e-12
rng = np.random.default_rng(20261203)


def rnd(*shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


W = {
    "embeddings.word_embeddings.weight": rnd(V, H, scale=0.5),
    "embeddings.position_embeddings.weight": rnd(P, H, scale=0.5),
    "embeddings.token_type_embeddings.weight": rnd(T, H, scale=0.5),
    "embeddings.LayerNorm.weight": (1 + rnd(H, scale=0.1)),
    "embeddings.LayerNorm.bias": rnd(H, scale=0.1),
}
for i in range(L):
    p = f"encoder.layer.{i}."
    for n in ("query", "key", "value"):
        W[p + f"attention.self.{n}.weight"] = rnd(H, H)
        W[p + f"attention.self.{n}.bias"] = rnd(H, scale=0.1)
    W[p + "attention.output.dense.weight"] = rnd(H, H)
    W[p + "attention.output.dense.bias"] = rnd(H, scale=0.1)
    W[p + "attention.output.LayerNorm.weight"] = 1 + rnd(H, scale=0.1)
    W[p + "attention.output.LayerNorm.bias"] = rnd(H, scale=0.1)
    W[p + "intermediate.dense.weight"] = rnd(FF, H)
    W[p + "intermediate.dense.bias"] = rnd(FF, scale=0.1)
    W[p + "output.dense.weight"] = rnd(H, FF)
    W[p + "output.dense.bias"] = rnd(H, scale=0.1)
    W[p + "output.LayerNorm.weight"] = 1 + rnd(H, scale=0.1)
    W[p + "output.LayerNorm.bias"] = rnd(H, scale=0.1)
W["pooler.dense.weight"] = rnd(H, H)
W["pooler.dense.bias"] = rnd(H, scale=0.1)


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def linear(x, name):
    return x @ W[name + ".weight"].astype(np.float64).T + W[name + ".bias"]


erf = np.vectorize(math.erf)


def bert_forward(ids, mask, types):
    ids, mask, types = np.array(ids), np.array(mask), np.array(types)
    B, S = ids.shape
    f = {k: v.astype(np.float64) for k, v in W.items()}
    x = f["embeddings.word_embeddings.weight"][ids] + f["embeddings.token_type_embeddings.weight"][types] \
        + f["embeddings.position_embeddings.weight"][np.arange(S)][None]
    x = layer_norm(x, f["embeddings.LayerNorm.weight"], f["embeddings.LayerNorm.bias"])
    # get_extended_attention_mask: (1 - mask) * finfo(float32).min
    ext = (1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min
    d = H // NH
    for i in range(L):
        p = f"encoder.layer.{i}."

        def heads(t):
            return t.reshape(B, S, NH, d).transpose(0, 2, 1, 3)

        q, k, v = (heads(linear(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + ext
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, S, H)
        a = layer_norm(linear(ctx, p + "attention.output.dense") + x,
                       f[p + "attention.output.LayerNorm.weight"], f[p + "attention.output.LayerNorm.bias"])
        inter = linear(a, p + "intermediate.dense")
        inter = 0.5 * inter * (1 + erf(inter / math.sqrt(2)))  # HF "gelu": exact, erf form
        x = layer_norm(linear(inter, p + "output.dense") + a,
                       f[p + "output.LayerNorm.weight"], f[p + "output.LayerNorm.bias"])
    pooled = np.tanh(linear(x[:, 0], "pooler.dense"))
    return x, pooled


VOCAB = ["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [
    "the", "sea", "was", "calm", "night", "dark", "a", "man", "plays", "guitar", "cat", "sat", "on", "mat",
    "dog", "ran", "far", "away", "sun", "is", "bright", "today", "##s", "rain", "falls", "slowly", "and", "of",
    "in", "to", "it", ".", "##ed", "slow"]
assert len(VOCAB) == V, len(VOCAB)
CONFIG = {
    "architectures": ["BertModel"], "model_type": "bert", "vocab_size": V, "hidden_size": H, "num_hidden_layers": L,
    "num_attention_heads": NH, "intermediate_size": FF, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1, "max_position_embeddings": P, "type_vocab_size": T, "initializer_range": 0.02,
    "layer_norm_eps": EPS, "pad_token_id": 0, "position_embedding_type": "absolute", "use_cache": True,
    "classifier_dropout": None, "transformers_version": "4.44.0",
}


def write_bert_folder(out, vocab_crlf_bom):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(CONFIG, fh, indent=2)
    safetensors_io.save_file(W, os.path.join(out, "model.safetensors"), {"format": "pt"})
    text = "".join(t + ("\r\n" if vocab_crlf_bom else "\n") for t in VOCAB)
    with open(os.path.join(out, "vocab.txt"), "wb") as fh:
        fh.write((b"\xef\xbb\xbf" if vocab_crlf_bom else b"") + text.encode("utf-8"))
    with open(os.path.join(out, "tokenizer_config.json"), "w") as fh:
        json.dump({"do_lower_case": True, "tokenizer_class": "BertTokenizer", "model_max_length": 512}, fh, indent=2)


def ids_of(text):
    return [3] + [VOCAB.index(w) for w in text.lower().split()] + [4]


def main():
    tiny = os.path.join(ROOT, "tests", "fixtures", "bert", "tiny")
    write_bert_folder(tiny, vocab_crlf_bom=True)
    ids = [[3, 6, 7, 8, 9, 4, 12, 13, 14, 15, 4], [3, 16, 17, 18, 19, 4, 0, 0, 0, 0, 0]]
    mask = [[1] * 11, [1] * 6 + [0] * 5]
    types = [[0] * 6 + [1] * 5, [0] * 11]
    with open(os.path.join(tiny, "inputs.json"), "w") as fh:
        json.dump({"input_ids": ids, "attention_mask": mask, "token_type_ids": types}, fh, separators=(",", ":"))
    hidden, pooled = bert_forward(ids, mask, types)
    safetensors_io.save_file({"last_hidden_state": hidden.astype(np.float32), "pooler_output": pooled.astype(np.float32)},
                             os.path.join(tiny, "expected.safetensors"))

    st = os.path.join(ROOT, "tests", "fixtures", "bert", "st-folder")
    write_bert_folder(st, vocab_crlf_bom=False)
    max_seq = 8
    with open(os.path.join(st, "modules.json"), "w") as fh:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                   {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], fh, indent=2)
    with open(os.path.join(st, "sentence_bert_config.json"), "w") as fh:
        json.dump({"max_seq_length": max_seq, "do_lower_case": False}, fh, indent=2)
    os.makedirs(os.path.join(st, "2_Normalize"), exist_ok=True)
    texts = ["the sea was calm", "a man plays guitar", "the sun is bright today and the rain falls slowly"]
    expected = {}
    for mode in ("cls", "mean", "max"):
        rows = []
        for t in texts:
            tid = ids_of(t)
            if len(tid) > max_seq:  # truncation to max_seq_length keeps [CLS] … [SEP]
                tid = tid[:max_seq - 1] + [4]
            h, _ = bert_forward([tid], [[1] * len(tid)], [[0] * len(tid)])
            h = h[0]
            v = h[0] if mode == "cls" else h.mean(0) if mode == "mean" else h.max(0)
            rows.append(v / max(np.linalg.norm(v), 1e-12))
        expected[mode] = np.array(rows, dtype=np.float32)
    with open(os.path.join(st, "texts.json"), "w") as fh:
        json.dump(texts, fh)
    safetensors_io.save_file(expected, os.path.join(st, "expected_embeddings.safetensors"))
    # 1_Pooling/config.json is written by the tests per mode; the committed one says mean (all-MiniLM-L6-v2's)
    os.makedirs(os.path.join(st, "1_Pooling"), exist_ok=True)
    with open(os.path.join(st, "1_Pooling", "config.json"), "w") as fh:
        json.dump({"word_embedding_dimension": H, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                   "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, fh, indent=2)
    write_onnx(os.path.join(ROOT, "tests", "fixtures", "bert", "onnx"), ids, mask, types)
    print("wrote", tiny, st, "and bert-onnx")


def write_onnx(out, ids, mask, types):
    """The same BERT as a torch module with HF's parameter names, exported by torch.onnx.export (opset 14: LayerNorm
    decomposed, Linear as MatMul on an unnamed transposed weight + Add of the named bias, the pooler as Gemm), as
    optimum and sentence-transformers-sharp exports look. Its outputs are checked against the numpy forward here."""
    import torch
    from torch import nn

    class Emb(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_embeddings = nn.Embedding(V, H)
            self.position_embeddings = nn.Embedding(P, H)
            self.token_type_embeddings = nn.Embedding(T, H)
            self.LayerNorm = nn.LayerNorm(H, eps=EPS)

    class SelfAtt(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)

    class Dense(nn.Module):
        def __init__(self, i, o, ln):
            super().__init__()
            self.dense = nn.Linear(i, o)
            if ln:
                self.LayerNorm = nn.LayerNorm(o, eps=EPS)

    class Att(nn.Module):
        def __init__(self):
            super().__init__()
            self.self = SelfAtt()
            self.output = Dense(H, H, True)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = Att()
            self.intermediate = Dense(H, FF, False)
            self.output = Dense(FF, H, True)

    class Enc(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.ModuleList([Layer() for _ in range(L)])

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = Emb()
            self.encoder = Enc()
            self.pooler = Dense(H, H, False)

        def forward(self, input_ids, attention_mask, token_type_ids):
            B, S = input_ids.shape
            e = self.embeddings
            pos = torch.arange(S, dtype=torch.long).unsqueeze(0)
            x = e.LayerNorm(e.word_embeddings(input_ids) + e.token_type_embeddings(token_type_ids) + e.position_embeddings(pos))
            ext = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
            d = H // NH
            for layer in self.encoder.layer:
                a = layer.attention

                def heads(t):
                    return t.view(B, S, NH, d).permute(0, 2, 1, 3)

                q, k, v = heads(a.self.query(x)), heads(a.self.key(x)), heads(a.self.value(x))
                p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + ext, dim=-1)
                ctx = (p @ v).permute(0, 2, 1, 3).reshape(B, S, H)
                att = a.output.LayerNorm(a.output.dense(ctx) + x)
                inter = torch.nn.functional.gelu(layer.intermediate.dense(att))
                x = layer.output.LayerNorm(layer.output.dense(inter) + att)
            return x, torch.tanh(self.pooler.dense(x[:, 0]))

    m = Bert().eval()
    m.load_state_dict({k: torch.from_numpy(v) for k, v in W.items()})
    args = tuple(torch.tensor(a, dtype=torch.long) for a in (ids, mask, types))
    with torch.no_grad():
        hidden, pooled = m(*args)
    ref, ref_pooled = bert_forward(ids, mask, types)
    assert np.abs(hidden.numpy() - ref).max() < 1e-4 and np.abs(pooled.numpy() - ref_pooled).max() < 1e-4
    os.makedirs(out, exist_ok=True)
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "token_type_ids": {0: "batch", 1: "seq"}}
    torch.onnx.export(m, args, os.path.join(out, "model.onnx"), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state", "pooler_output"], dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    with open(os.path.join(out, "vocab.txt"), "w", newline="\n") as fh:
        fh.write("".join(t + "\n" for t in VOCAB))


if __name__ == "__main__":
    main()
