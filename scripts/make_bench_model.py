#!/usr/bin/env python3
"""Makes the albert-base-v2-shaped benchmark model (random weights, HF init) and its ONNX export.

Writes bench/models/base/{config.json, model.safetensors, model.onnx} (git-ignored; ~45 MB + ~350 MB: the
ONNX export materialises the shared layer once per layer, as every ALBERT ONNX export does). The ONNX graph
is albert_ref.AlbertModelForExport (last_hidden_state, pooler_output), same weights as the safetensors file.

usage: /usr/bin/python3 scripts/make_bench_model.py [--shared ../shared] [--out DIR] [--no-onnx]
           [--vocab-size V --tokenizer DIR]

--vocab-size with --tokenizer makes a base-shaped model that reads text: e.g. vocab 8000 and the embedded default
model's tokenizer (src/AlbertGen.Cli/models/albert-default), whose spiece.model and tokenizer_config.json are copied
in; the text benchmarks (padding-free SST-2 batches, bench/serve/run.sh) use that folder (bench/models/base8k).
"""
import argparse
import json
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "bench" / "models" / "base"))
ap.add_argument("--no-onnx", action="store_true")
ap.add_argument("--vocab-size", type=int, default=30000)
ap.add_argument("--tokenizer", help="a model folder whose spiece.model (and tokenizer_config.json) to copy in")
a = ap.parse_args()
sys.path.insert(0, str(Path(a.shared) / "tools"))
import torch  # noqa: E402
import albert_ref as ref  # noqa: E402
import safetensors_io as st  # noqa: E402

cfg = dict(architectures=["AlbertModel"], vocab_size=a.vocab_size, embedding_size=128, hidden_size=768, num_hidden_layers=12,
           num_hidden_groups=1, num_attention_heads=12, intermediate_size=3072, inner_group_num=1, hidden_act="gelu_new",
           hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, max_position_embeddings=512, type_vocab_size=2,
           initializer_range=0.02, layer_norm_eps=1e-12, model_type="albert", position_embedding_type="absolute")
out = Path(a.out)
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
config = ref.AlbertConfig.from_dict(cfg)
model = ref.AlbertModelForExport(config).eval()
(out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
st.save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, out / "model.safetensors", {"format": "pt"})
print("wrote", out / "model.safetensors")
if a.tokenizer:
    import shutil  # noqa: E402
    for name in ["spiece.model", "tokenizer_config.json"]:
        if (Path(a.tokenizer) / name).exists():
            shutil.copyfile(Path(a.tokenizer) / name, out / name)
            print("copied", out / name)
if not a.no_onnx:
    ids = torch.ones(1, 16, dtype=torch.long)
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(out / "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state", "pooler_output"],
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]} | {"pooler_output": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)
    print("wrote", out / "model.onnx")
