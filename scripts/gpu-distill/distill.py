#!/usr/bin/env python3
"""Long distillation of an ALBERT student from a BERT-shaped teacher on a GPU (docs/decisions.md D49).

    python3 scripts/gpu-distill/distill.py --pack gpu-pack --out OUT --embedding-size 96 --groups 2 --seconds 400

The same student and losses as `albertgen albertize` (D34): the student starts from the teacher (rank E − 1
factorised embedding with the teacher's LayerNorm folded into embedding_hidden_mapping_in, each shared group the
average of the teacher layers it replaces, the pooler copied); the loss is the mean over the L + 1 hidden states of
the MSE over real tokens (--hidden-weight), plus --cosine-weight × (1 − cos) of the mean-pooled last states, plus
--similarity-weight × the MSE between the student's and the teacher's in-batch cosine matrices of the pooled
vectors (the relative geometry sentence similarity reads). Both models in eval mode (no dropout), AdamW with ALBERT's
decay exclusions, clip 1.0. What differs from the CPU verb is the budget: the schedule runs on wall-clock time
(--seconds; linear warmup, then linear decay to 0 at the end), so a GPU spends its minutes on many more sentences.

The zero-shot STS-B dev Spearman of the student's mean-pooled cosines is measured every --eval-seconds; the best
measurement's weights are written (float16, HF AlbertModel names) to OUT/model.fp16.safetensors; every measurement is a JSON line on stdout. `finish.py` turns the result into a model folder.
Needs torch and numpy; runs on the CPU too (slowly), which is how it is tested.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sts"))
import tensorfile  # noqa: E402
from score import pearson, ranks  # noqa: E402  (scripts/sts: Spearman as the STS-B figures are measured)

P = "albert."


class Layer(nn.Module):
    def __init__(self, h, inter, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.dense = (nn.Linear(h, h) for _ in range(4))
        self.attn_ln = nn.LayerNorm(h, eps=1e-12)
        self.ffn = nn.Linear(h, inter)
        self.ffn_output = nn.Linear(inter, h)
        self.full_ln = nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, bias):
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        if hasattr(F, "scaled_dot_product_attention"):
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        else:
            ctx = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1) @ v
        ctx = ctx.transpose(1, 2).reshape(b, t, h)
        a = self.attn_ln(x + self.dense(ctx))
        return self.full_ln(a + self.ffn_output(F.gelu(self.ffn(a))))


class Albert(nn.Module):
    """HF's AlbertModel in eval mode, returning every hidden state (mapped embeddings, then each layer's output)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        e, h = c["embedding_size"], c["hidden_size"]
        self.word = nn.Embedding(c["vocab_size"], e)
        self.pos = nn.Embedding(c["max_position_embeddings"], e)
        self.types = nn.Embedding(c["type_vocab_size"], e)
        self.ln = nn.LayerNorm(e, eps=c.get("layer_norm_eps", 1e-12))
        self.mapping = nn.Linear(e, h)
        self.groups = nn.ModuleList(Layer(h, c["intermediate_size"], c["num_attention_heads"])
                                    for _ in range(c["num_hidden_groups"]))
        self.pooler = nn.Linear(h, h)
        if c.get("hidden_act", "gelu") not in ("gelu",):
            raise ValueError(f"hidden_act {c['hidden_act']} is not supported here (only exact gelu)")

    def forward(self, ids, mask):
        t = ids.shape[1]
        pos = torch.arange(t, device=ids.device)
        x = self.ln(self.word(ids) + self.pos(pos)[None] + self.types.weight[0])
        x = self.mapping(x)
        bias = torch.zeros(mask.shape, dtype=x.dtype, device=x.device).masked_fill(mask == 0, -1e30)[:, None, None, :]
        states = [x]
        layers, groups = self.c["num_hidden_layers"], self.c["num_hidden_groups"]
        for i in range(layers):
            x = self.groups[int(i / (layers / groups))](x, bias)
            states.append(x)
        return states

    # HF names of this module's parameters
    def hf_names(self):
        names = {
            "word.weight": "embeddings.word_embeddings.weight", "pos.weight": "embeddings.position_embeddings.weight",
            "types.weight": "embeddings.token_type_embeddings.weight", "ln.weight": "embeddings.LayerNorm.weight",
            "ln.bias": "embeddings.LayerNorm.bias", "mapping.weight": "encoder.embedding_hidden_mapping_in.weight",
            "mapping.bias": "encoder.embedding_hidden_mapping_in.bias", "pooler.weight": "pooler.weight",
            "pooler.bias": "pooler.bias",
        }
        inner = {"query": "attention.query", "key": "attention.key", "value": "attention.value",
                 "dense": "attention.dense", "attn_ln": "attention.LayerNorm", "ffn": "ffn",
                 "ffn_output": "ffn_output", "full_ln": "full_layer_layer_norm"}
        for g in range(self.c["num_hidden_groups"]):
            for ours, hf in inner.items():
                for kind in ("weight", "bias"):
                    names[f"groups.{g}.{ours}.{kind}"] = f"encoder.albert_layer_groups.{g}.albert_layers.0.{hf}.{kind}"
        return {k: P + v for k, v in names.items()}


def load_teacher(pack, device):
    c = json.load(open(os.path.join(pack, "config.json")))
    z = np.load(os.path.join(pack, "teacher.npz"))
    hf = {}
    for key in z.files:
        if key.endswith(".scale"):
            continue
        if key.endswith(".q"):
            name = key[:-2]
            hf[name] = torch.from_numpy(z[key].astype(np.float32) * z[name + ".scale"][:, None])
        else:
            hf[key] = torch.from_numpy(z[key].copy())
    t = Albert(c)
    names = t.hf_names()
    t.load_state_dict({ours: hf[theirs] for ours, theirs in names.items()})
    return c, hf, t.to(device).eval()


def ones_complement(e):
    m = torch.cat([torch.ones(e, 1, dtype=torch.float64), torch.eye(e, dtype=torch.float64)[:, : e - 1]], 1)
    q, _ = torch.linalg.qr(m)
    return q[:, 1:]


def init_student(tc, hf, e, g):
    """StudentInit.Initialize (src/AlbertGen.Torch/Distillation/StudentInit.cs), group init 'average'."""
    c = dict(tc, embedding_size=e, num_hidden_groups=g, inner_group_num=1, architectures=["AlbertModel"])
    layers, h = tc["num_hidden_layers"], tc["hidden_size"]
    if layers % g or not 2 <= e <= h:
        raise ValueError(f"E {e} / G {g} do not fit the teacher (H {h}, L {layers})")
    s = Albert(c)
    out = {}

    def T(name):
        return hf[P + name].double()

    word = T("embeddings.word_embeddings.weight")
    centred = word - word.mean(1, keepdim=True)
    _, sv, vh = torch.linalg.svd(centred, full_matrices=False)
    u = vh[: e - 1].t()
    kept = float((sv[: e - 1] ** 2).sum() / (sv ** 2).sum())
    ub = u @ ones_complement(e).t()
    for table in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        out[f"embeddings.{table}.weight"] = T(f"embeddings.{table}.weight") @ ub
    out["embeddings.LayerNorm.weight"] = torch.ones(e, dtype=torch.float64)
    out["embeddings.LayerNorm.bias"] = torch.zeros(e, dtype=torch.float64)
    mt, bt = T("encoder.embedding_hidden_mapping_in.weight"), T("encoder.embedding_hidden_mapping_in.bias")
    out["encoder.embedding_hidden_mapping_in.weight"] = mt @ (T("embeddings.LayerNorm.weight")[:, None] * ub) * math.sqrt(h / e)
    out["encoder.embedding_hidden_mapping_in.bias"] = mt @ T("embeddings.LayerNorm.bias") + bt
    tgroups = tc["num_hidden_groups"]
    for group in range(g):
        covered = [i for i in range(layers) if int(i / (layers / g)) == group]
        prefix = f"encoder.albert_layer_groups.{group}.albert_layers.0."
        for key in hf:
            if key.startswith(P + "encoder.albert_layer_groups.0.albert_layers.0."):
                rest = key[len(P + "encoder.albert_layer_groups.0.albert_layers.0."):]
                parts = [T(f"encoder.albert_layer_groups.{int(i / (layers / tgroups))}.albert_layers.0.{rest}") for i in covered]
                out[prefix + rest] = sum(parts) / len(parts)
    out["pooler.weight"], out["pooler.bias"] = T("pooler.weight"), T("pooler.bias")
    names = s.hf_names()
    s.load_state_dict({ours: out[theirs[len(P):]].float() for ours, theirs in names.items()})
    return c, s, kept


def batch(ids, offsets, rows, device):
    lengths = offsets[rows + 1] - offsets[rows]
    t = int(lengths.max())
    x = np.zeros((len(rows), t), dtype=np.int64)
    m = np.zeros((len(rows), t), dtype=np.int64)
    for j, r in enumerate(rows):
        n = lengths[j]
        x[j, :n] = ids[offsets[r]:offsets[r] + n]
        m[j, :n] = 1
    return torch.from_numpy(x).to(device, non_blocking=True), torch.from_numpy(m).to(device, non_blocking=True)


def mean_pool(h, m):
    mf = m.unsqueeze(-1).to(h.dtype)
    return (h * mf).sum(1) / mf.sum(1).clamp(min=1)


@torch.no_grad()
def dev_spearman(model, dev, device):
    vecs = []
    for side in ("left", "right"):
        ids, off = dev[side + "_ids"], dev[side + "_offsets"]
        out = []
        for start in range(0, len(off) - 1, 256):
            rows = np.arange(start, min(start + 256, len(off) - 1))
            x, m = batch(ids, off, rows, device)
            out.append(mean_pool(model(x, m)[-1], m).float())
        vecs.append(torch.cat(out))
    cos = F.cosine_similarity(vecs[0], vecs[1]).cpu().numpy()
    return pearson(ranks(cos.tolist()), ranks(dev["gold"].tolist())) * 100


def batches(offsets, batch_size, rng, window=50):
    """Endless length-bucketed batches: shuffle, sort windows of `window` batches by length, shuffle the batches."""
    lengths = offsets[1:] - offsets[:-1]
    n = len(lengths)
    while True:
        perm = rng.permutation(n)
        chunk = batch_size * window
        out = []
        for s in range(0, n - batch_size + 1, chunk):
            w = perm[s:s + chunk]
            w = w[np.argsort(lengths[w], kind="stable")]
            out.extend(w[i:i + batch_size] for i in range(0, len(w) - batch_size + 1, batch_size))
        for i in rng.permutation(len(out)):
            yield out[i]


def save_fp16(path, model):
    names = model.hf_names()
    tensorfile.write(path, {names[k]: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}, "F16")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--embedding-size", type=int, required=True)
    ap.add_argument("--groups", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=400)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after N steps too (a smoke run)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup-seconds", type=float, default=15)
    ap.add_argument("--hidden-weight", type=float, default=1.0)
    ap.add_argument("--cosine-weight", type=float, default=1.0)
    ap.add_argument("--similarity-weight", type=float, default=5.0)
    ap.add_argument("--eval-seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(a.seed)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(a.out, exist_ok=True)

    def log(**kv):
        print(json.dumps(dict(run=os.path.basename(a.out.rstrip("/")), **kv)), flush=True)

    tc, hf, teacher = load_teacher(a.pack, device)
    c, student, kept = init_student(tc, hf, a.embedding_size, a.groups)
    student = student.to(device)
    params = sum(p.numel() for p in student.parameters())
    tparams = sum(p.numel() for p in teacher.parameters())
    train = np.load(os.path.join(a.pack, "train.npz"))
    ids, offsets = train["ids"], train["offsets"]
    dev = dict(np.load(os.path.join(a.pack, "dev.npz")))
    student.eval()
    best = dev_spearman(student, dev, device)
    log(event="start", device=device, parameters=params, of_teacher=params / tparams, svd_energy_kept=kept,
        sentences=len(offsets) - 1, teacher_dev=dev_spearman(teacher, dev, device), student_dev=best)
    best_state = {k: v.detach().clone() for k, v in student.state_dict().items()}
    best_step = 0

    decay = [p for n, p in student.named_parameters() if not (n.endswith("bias") or "ln" in n.split(".")[-2])]
    no_decay = [p for n, p in student.named_parameters() if n.endswith("bias") or "ln" in n.split(".")[-2]]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.999), eps=1e-6)
    rng = np.random.default_rng(a.seed)
    stream = batches(offsets, a.batch_size, rng)
    start = time.time()
    next_eval = a.eval_seconds
    step, seen, sums = 0, 0, np.zeros(4)
    while True:
        elapsed = time.time() - start
        done = elapsed >= a.seconds or (a.max_steps and step >= a.max_steps)
        if done or elapsed >= next_eval:
            s = dev_spearman(student, dev, device)
            k = max(sums[3], 1)
            log(event="eval", step=step, seconds=round(elapsed, 1), sentences_seen=seen, dev=s,
                hidden=sums[0] / k, cosine=sums[1] / k, similarity=sums[2] / k)
            sums[:] = 0
            if s >= best:
                best, best_step = s, step
                best_state = {k: v.detach().clone() for k, v in student.state_dict().items()}
            next_eval += a.eval_seconds
        if done:
            break
        progress = elapsed / a.seconds
        lr = a.lr * min(1.0, elapsed / max(a.warmup_seconds, 1e-9)) * max(0.0, 1.0 - progress)
        for group in opt.param_groups:
            group["lr"] = lr
        x, m = batch(ids, offsets, next(stream), device)
        with torch.no_grad():
            th = teacher(x, m)
        sh = student(x, m)
        mf = m.unsqueeze(-1).to(sh[0].dtype)
        real = mf.sum() * sh[0].shape[-1]
        hidden = sum(((s_ - t_) ** 2 * mf).sum() / real for s_, t_ in zip(sh, th)) / len(sh)
        sp, tp = mean_pool(sh[-1], m), mean_pool(th[-1], m)
        cosine = (1 - F.cosine_similarity(sp, tp)).mean()
        sn, tn = F.normalize(sp, dim=-1), F.normalize(tp, dim=-1)
        similarity = ((sn @ sn.t() - tn @ tn.t()) ** 2).mean()
        loss = a.hidden_weight * hidden + a.cosine_weight * cosine + a.similarity_weight * similarity
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        opt.step()
        step += 1
        seen += len(x)
        if step % 20 == 0:  # losses read every 20 steps only: .item() waits for the GPU
            sums += np.array([hidden.item(), cosine.item(), similarity.item(), 1.0])
    student.load_state_dict(best_state)
    save_fp16(os.path.join(a.out, "model.fp16.safetensors"), student)
    log(event="done", steps=step, sentences_seen=seen, best_dev=best, best_step=best_step,
        seconds=round(time.time() - start, 1))


if __name__ == "__main__":
    main()
