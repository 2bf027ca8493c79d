#!/usr/bin/env python3
"""Writes an ONNX Runtime int8 twin of a float ALBERT graph (bench/models/base/model.onnx), for issue 18's
comparison: the ONNX graph ORT's dynamic quantizer makes (U8S8), built by hand because onnxruntime's Python package
is not installable here (Debian has python3-onnx only).

Every MatMul whose right operand is a 2-D float initializer (directly or through Identity nodes: the torch export
shares ALBERT's layer weights that way) becomes
    A_q, a_scale, a_zp = DynamicQuantizeLinear(A)                 (u8, per tensor, as ORT's quantizer)
    Y = Cast<float>(MatMulInteger(A_q, W_q, a_zp)) * (a_scale * w_scale)
with W_q int8 symmetric per output column (w_scale = max|W[:, j]| / 127, zero point 0) and one W_q per shared weight
(ORT's quantizer writes one per use). ORT's graph optimiser fuses the pattern into DynamicQuantizeMatMul.
Attention's activation × activation MatMuls stay float, as in ORT's quantizer.

usage: /usr/bin/python3 scripts/make_ort_int8.py [--model bench/models/base/model.onnx] [--out .../model-int8.onnx]
"""
import argparse
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="bench/models/base/model.onnx")
ap.add_argument("--out", default=None)
a = ap.parse_args()
out = a.out or a.model.replace(".onnx", "-int8.onnx")

m = onnx.load(a.model)
g = m.graph
inits = {i.name: i for i in g.initializer}
identity = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity"}


def source(name):
    while name in identity:
        name = identity[name]
    return name


quantized = {}  # initializer name -> (W_q name, w_scale name)
new_nodes = []
count = 0
for n in g.node:
    if n.op_type == "MatMul" and source(n.input[1]) in inits and len(inits[source(n.input[1])].dims) == 2:
        w_name = source(n.input[1])
        if w_name not in quantized:
            w = numpy_helper.to_array(inits[w_name]).astype(np.float32)  # [in, out]
            scale = np.abs(w).max(axis=0) / 127.0
            scale[scale == 0] = 1.0
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            qn, sn = w_name + "_quantized", w_name + "_scale"
            g.initializer.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale.astype(np.float32), sn)])
            quantized[w_name] = (qn, sn)
        qn, sn = quantized[w_name]
        p = n.name.replace("/", "_") or f"mm{count}"
        aq, asc, azp = p + "_a_q", p + "_a_scale", p + "_a_zp"
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [n.input[0]], [aq, asc, azp], name=p + "_dql"),
            helper.make_node("MatMulInteger", [aq, qn, azp], [p + "_int32"], name=p + "_mmi"),
            helper.make_node("Cast", [p + "_int32"], [p + "_f32"], to=TensorProto.FLOAT, name=p + "_cast"),
            helper.make_node("Mul", [asc, sn], [p + "_scale"], name=p + "_scale_mul"),
            helper.make_node("Mul", [p + "_f32", p + "_scale"], [n.output[0]], name=p + "_out_mul"),
        ]
        count += 1
    else:
        new_nodes.append(n)
del g.node[:]
g.node.extend(new_nodes)
used = {i for nd in g.node for i in nd.input}
kept = [i for i in g.initializer if i.name in used]
del g.initializer[:]
g.initializer.extend(kept)
onnx.checker.check_model(m)
onnx.save(m, out)
print(f"wrote {out}: {count} MatMuls quantized, {len(quantized)} int8 weights")
