#!/usr/bin/python3
"""The PyTorch peer of `albertgen pretrain --inputs`: one AlbertForPreTraining training step (forward, MLM + SOP loss,
backward, global-norm clip 1.0, optimiser step) repeated on one fixed batch, timed per step.

The model is ../shared/tools/albert_ref.py (a line-by-line port of HF's modeling_albert.py) in Debian's python3-torch.
usage: pytorch_train_step.py --config config.json --inputs inputs.json [--steps N] [--warmup W] [--threads T]
                             [--optimizer adamw|sgd] [--lr LR]
Prints one JSON object: median/min step ms and tokens/s over the timed steps.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "shared" / "tools"))
import albert_ref as ref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--config", required=True)
ap.add_argument("--inputs", required=True)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--optimizer", default="adamw")
ap.add_argument("--lr", type=float, default=1e-4)
a = ap.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
config = ref.AlbertConfig.from_dict(json.loads(Path(a.config).read_text()))
model = ref.AlbertForPreTraining(config).train()
batch = {k: torch.tensor(v).long() for k, v in json.loads(Path(a.inputs).read_text()).items()}
decay = [p for n, p in model.named_parameters() if not n.endswith("bias") and "LayerNorm" not in n]
no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
groups = [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]
opt = torch.optim.AdamW(groups, lr=a.lr, eps=1e-6) if a.optimizer == "adamw" else torch.optim.SGD(model.parameters(), lr=a.lr)
times = []
for step in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    out = model(**batch)
    out["loss"].backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step >= a.warmup:
        times.append((time.perf_counter() - t0) * 1000)
tokens = batch["input_ids"].numel()
med = statistics.median(times)
print(json.dumps({"engine": f"PyTorch {torch.__version__}", "optimizer": a.optimizer, "threads": a.threads, "steps": a.steps,
                  "median_ms": round(med, 1), "min_ms": round(min(times), 1), "tokens_per_s": round(tokens / med * 1000)}))
