#!/usr/bin/python3
"""Writes the pytorch_model.bin fixtures from committed safetensors fixtures (Debian python3-torch, numpy).

    /usr/bin/python3 scripts/make_bin_fixtures.py

Each bin-* folder is a twin of a safetensors fixture: the same config.json, inputs.json and expected.safetensors, and
the same weights saved by torch.save instead of safetensors, so a loader must give the twin's outputs.

  bin-zip      tiny, torch.save zip layout (F32), plus the int64 `albert.embeddings.position_ids` buffer real HF
               checkpoints carry
  bin-legacy   tiny, `_use_new_zipfile_serialization=False` (the torch < 1.6 format)
  bin-f16      f16-weights, half tensors (zip)
  bin-tied     tiny, as older transformers saved it: `predictions.decoder.weight` is the word-embedding tensor (one
               storage, two keys) and `predictions.decoder.bias` is `predictions.bias`; Q, K and V are row slices of
               one fused storage (storage offsets); the mapping-in weight is a transposed view (strides (1, 32)),
               saved as is; legacy format, so views of one storage go through the legacy path too
  bin-dtypes   reader-level cases: bf16, f16, f32, a strided view, an offset view, int64 and float64 tensors in one
               zip, with `tensors.safetensors` holding each float tensor as float32 (not `expected.safetensors`:
               that name marks a golden forward for scripts/aot-smoke.sh)
  bin-pipeline-mlm  pipeline-mlm's weights (zip) and config.json, without spiece.model (a test adds the twin's) for
               the task verbs
  bin-hostile  pickles whose global is `posix.system` (zip and legacy), with a config.json; loading must refuse them
               and never create /tmp/albertgen-pwned
"""

import json
import os
import shutil
import sys
from collections import OrderedDict

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools"))
import safetensors_io  # noqa: E402

FIX = os.path.join(ROOT, "tests", "fixtures")
MARKER = "/tmp/albertgen-pwned"


def load_twin(name):
    return OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in safetensors_io.load_file(os.path.join(FIX, name, "model.safetensors")).items())


def folder(name, twin):
    d = os.path.join(FIX, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    if twin is not None:
        for f in ("config.json", "inputs.json", "expected.safetensors"):
            shutil.copy(os.path.join(FIX, twin, f), os.path.join(d, f))
    return d


def save(obj, path, legacy=False):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


def bin_zip():
    sd = load_twin("tiny")
    sd["albert.embeddings.position_ids"] = torch.arange(64, dtype=torch.int64).unsqueeze(0)
    save(sd, os.path.join(folder("bin-zip", "tiny"), "pytorch_model.bin"))


def bin_legacy():
    save(load_twin("tiny"), os.path.join(folder("bin-legacy", "tiny"), "pytorch_model.bin"), legacy=True)


def bin_f16():
    sd = load_twin("f16-weights")
    assert all(t.dtype == torch.float16 for t in sd.values())
    save(sd, os.path.join(folder("bin-f16", "f16-weights"), "pytorch_model.bin"))


def bin_tied():
    sd = load_twin("tiny")
    out = OrderedDict()
    p = "albert.encoder.albert_layer_groups.0.albert_layers.0.attention."
    fused = torch.cat([sd[p + "query.weight"], sd[p + "key.weight"], sd[p + "value.weight"]], 0).contiguous()
    mapping = sd["albert.encoder.embedding_hidden_mapping_in.weight"].t().contiguous().t()  # (32, 16), strides (1, 32)
    assert not mapping.is_contiguous() and mapping.stride() == (1, 32)
    for k, v in sd.items():
        if k == p + "query.weight":
            v = fused[0:32]
        elif k == p + "key.weight":
            v = fused[32:64]
        elif k == p + "value.weight":
            v = fused[64:96]
        elif k == "albert.embeddings.word_embeddings.weight" or k == "predictions.bias":
            v = v.clone()
        elif k == "albert.encoder.embedding_hidden_mapping_in.weight":
            v = mapping
        out[k] = v
    out["predictions.decoder.weight"] = out["albert.embeddings.word_embeddings.weight"]
    out["predictions.decoder.bias"] = out["predictions.bias"]
    assert out["predictions.decoder.weight"].data_ptr() == out["albert.embeddings.word_embeddings.weight"].data_ptr()
    assert out[p + "key.weight"].storage_offset() == 32 * 32
    save(out, os.path.join(folder("bin-tied", "tiny"), "pytorch_model.bin"), legacy=True)


def bin_dtypes():
    d = folder("bin-dtypes", None)
    g = torch.Generator().manual_seed(16)
    base = torch.randn(6, 5, generator=g)
    big = torch.randn(40, generator=g)
    t = OrderedDict()
    t["f32"] = base
    t["f16"] = base.half()
    t["bf16"] = base.bfloat16()
    t["transposed"] = base.t()                # (5, 6), strides (1, 5)
    t["offset"] = big[7:19].view(3, 4)         # storage offset 7, contiguous
    t["every_other"] = big[1:13:2]           # (6,), stride 2, offset 1
    t["scalar"] = big[39]                      # 0-d, offset 39
    t["bf16_transposed"] = base.bfloat16().t()
    t["ints"] = torch.arange(5, dtype=torch.int64)
    t["doubles"] = torch.arange(3, dtype=torch.float64)
    save(t, os.path.join(d, "pytorch_model.bin"))
    expected = OrderedDict((k, v.float().contiguous().numpy()) for k, v in t.items() if v.dtype in (torch.float32, torch.float16, torch.bfloat16))
    safetensors_io.save_file(expected, os.path.join(d, "tensors.safetensors"))


def bin_pipeline_mlm():
    d = folder("bin-pipeline-mlm", None)
    shutil.copy(os.path.join(FIX, "pipeline-mlm", "config.json"), os.path.join(d, "config.json"))
    save(load_twin("pipeline-mlm"), os.path.join(d, "pytorch_model.bin"))


class Pwn:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


def bin_hostile():
    d = folder("bin-hostile", None)
    shutil.copy(os.path.join(FIX, "tiny", "config.json"), os.path.join(d, "config.json"))
    shutil.copy(os.path.join(FIX, "tiny", "inputs.json"), os.path.join(d, "inputs.json"))
    sd = OrderedDict(weight=torch.zeros(2), payload=Pwn())
    save(sd, os.path.join(d, "pytorch_model.bin"))
    save(sd, os.path.join(d, "legacy.bin"), legacy=True)
    assert not os.path.exists(MARKER), "saving must not run the payload"


if __name__ == "__main__":
    bin_zip()
    bin_legacy()
    bin_f16()
    bin_tied()
    bin_dtypes()
    bin_pipeline_mlm()
    bin_hostile()
    # the twins load back to the same tensors in torch itself
    for name, twin in (("bin-zip", "tiny"), ("bin-legacy", "tiny"), ("bin-f16", "f16-weights"), ("bin-tied", "tiny"), ("bin-pipeline-mlm", "pipeline-mlm")):
        got = torch.load(os.path.join(FIX, name, "pytorch_model.bin"))
        for k, v in load_twin(twin).items():
            assert torch.equal(got[k], v), (name, k)
    print("wrote bin-zip, bin-legacy, bin-f16, bin-tied, bin-dtypes, bin-pipeline-mlm, bin-hostile")
