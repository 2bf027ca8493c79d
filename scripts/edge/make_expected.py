#!/usr/bin/env python3
"""Expected fill-mask result of the edge sample (src/AlbertGen.EdgeSample, D37) on the embedded default model, from the
HF reference (albert_ref.py: AlbertTokenizerRef + AlbertForPreTraining's prediction head, float64 from the saved
float32 weights), as the lines the sample prints: "token_id score token" for the top 5 of "The [MASK] was bright.".

usage: /usr/bin/python3 scripts/edge/make_expected.py [--shared ../shared] > scripts/edge/expected-fill-mask.txt
"""
import argparse
import sys
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared"))
a = ap.parse_args()
sys.path.insert(0, str(Path(a.shared) / "tools"))
import json  # noqa: E402
import torch  # noqa: E402
import albert_ref as ref  # noqa: E402
import safetensors_io as st  # noqa: E402

folder = Path(__file__).resolve().parents[2] / "src" / "AlbertGen.Cli" / "models" / "albert-default"
tok = ref.AlbertTokenizerRef(str(folder / "spiece.model"))
cfg = json.loads((folder / "config.json").read_text())
model = ref.AlbertForPreTraining(ref.AlbertConfig.from_dict(cfg)).eval()
model.load_hf_state_dict({k: torch.from_numpy(v.copy()) for k, v in st.load_file(folder / "model.safetensors").items()})
model = model.double()
text = "The [MASK] was bright."
left, right = text.split("[MASK]")
ids = tok.build_inputs_with_special_tokens(tok.convert_tokens_to_ids(tok.tokenize(left)) + [tok.mask_token_id]
                                           + tok.convert_tokens_to_ids(tok.tokenize(right)))
with torch.no_grad():
    logits = model(input_ids=torch.tensor([ids]))["prediction_logits"][0]
p = ids.index(tok.mask_token_id)
top = logits[p].softmax(-1).topk(5)
for s, i in zip(top.values, top.indices):
    print(f"{int(i)} {float(s):.6f} {tok.convert_ids_to_tokens([int(i)])[0]}")
