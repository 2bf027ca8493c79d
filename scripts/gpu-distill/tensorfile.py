"""The safetensors reading and writing the gpu-distill scripts share (numpy only; F32 and F16 tensors).

Not ../shared/tools/safetensors_io.py, which the other scripts use: a device call carries the repository only, and
distill.py runs there.

Format (https://github.com/huggingface/safetensors): 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets}} padded with spaces to 8 bytes, then the tensors back to back.
"""

import json
import os
import struct

import numpy as np

_DTYPES = {"F32": "<f4", "F16": "<f2"}


def read(path, dtype):
    """Every tensor of `path`, which must all be `dtype` ("F32" or "F16"), as numpy arrays."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != dtype:
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected {dtype}")
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=_DTYPES[dtype]).reshape(info["shape"])
    return out


def write(path, tensors, dtype):
    """Writes numpy arrays as `dtype` tensors, names sorted, atomically (a .tmp file renamed over `path`)."""
    arrays = {name: np.ascontiguousarray(tensors[name], dtype=_DTYPES[dtype]) for name in sorted(tensors)}
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, a in arrays.items():
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for a in arrays.values():
            f.write(a.tobytes())
    os.replace(tmp, path)
