// Runs HF's tokenizers library (npm `tokenizers`, the Rust library's Node binding) on a tokenizer.json:
// node encode.js TOKENIZER_JSON LINES_JSONL OUT_JSONL [PAIRS_JSONL]
// One JSON object per input line: ids, tokens, type_ids, offsets (UTF-16 code units, as C# strings index),
// decode / decode_skip; then one {"pair": ...} object per row of PAIRS_JSONL (texts a and b by line index).
const fs = require("fs");
const { Tokenizer } = require("tokenizers");

const [tokPath, linesPath, outPath, pairsPath] = process.argv.slice(2);
const tok = Tokenizer.fromFile(tokPath);
const lines = fs.readFileSync(linesPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));

// the binding reports offsets in code points (Rust chars); C# indexes UTF-16 code units
function utf16Offsets(text, offsets) {
  const cps = Array.from(text);
  const at = [0];
  for (const c of cps) at.push(at[at.length - 1] + c.length);
  return offsets.map(([s, e]) => [at[Math.min(s, cps.length)], at[Math.min(e, cps.length)]]);
}

async function row(text, pair) {
  const enc = await tok.encode(text, pair);
  const ids = enc.getIds();
  return {
    ids,
    tokens: enc.getTokens(),
    type_ids: enc.getTypeIds(),
    offsets_raw: enc.getOffsets(),
    decode: await tok.decode(ids, false),
    decode_skip: await tok.decode(ids, true),
  };
}

(async () => {
  const out = [];
  for (const text of lines) {
    const r = await row(text, null);
    r.offsets = utf16Offsets(text, r.offsets_raw);
    delete r.offsets_raw;
    out.push(JSON.stringify(r));
  }
  if (pairsPath) {
    const pairs = fs.readFileSync(pairsPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
    for (const p of pairs) {
      if (p.b === null) continue;
      const r = await row(lines[p.a], lines[p.b]);
      delete r.offsets_raw;
      out.push(JSON.stringify({ pair: [p.a, p.b], ids: r.ids, type_ids: r.type_ids }));
    }
  }
  fs.writeFileSync(outPath, out.join("\n") + "\n");
})();
