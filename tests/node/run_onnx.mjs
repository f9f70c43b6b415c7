// Runs an ONNX model in onnxruntime-node on given token batches and writes
// its logits: how test_onnx judges ParetoPrune's ONNX exports.
//   node run_onnx.mjs MODEL.onnx INPUT.json OUTPUT.json [INPUT_NAMES]
// INPUT_NAMES: the graph's inputs, sorted, comma-separated (default
// attention_mask,input_ids,token_type_ids); only those are fed.
// INPUT: {"batches": [{"ids": [[...]], "mask": [[...]], "types": [[...]]}, ...]}
// OUTPUT: {"ort_version": "...", "logits": [[[...], ...], ...]} (per batch, per row;
// a tagger's row is its [sequence * labels] logits)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';

const [modelPath, inputPath, outputPath, expected] = process.argv.slice(2);
if (!outputPath) {
  console.error('usage: node run_onnx.mjs MODEL.onnx INPUT.json OUTPUT.json');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const version = require('onnxruntime-node/package.json').version;

function tensor(rows) {
  const B = rows.length, T = rows[0].length;
  const data = new BigInt64Array(B * T);
  rows.forEach((r, i) => {
    if (r.length !== T) throw new Error(`row ${i} has ${r.length} tokens, row 0 has ${T}`);
    r.forEach((v, j) => { data[i * T + j] = BigInt(v); });
  });
  return new ort.Tensor('int64', data, [B, T]);
}

const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
const names = [...session.inputNames].sort().join(',');
if (names !== (expected || 'attention_mask,input_ids,token_type_ids'))
  throw new Error(`${modelPath}: inputs are ${names}`);
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const logits = [];
for (const b of input.batches) {
  const feeds = { input_ids: tensor(b.ids), attention_mask: tensor(b.mask) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = tensor(b.types);
  const out = await session.run(feeds);
  const t = out.logits;
  // [batch, labels], or a tagger's [batch, sequence, labels] (each row flattened).
  if (!t || (t.dims.length !== 2 && t.dims.length !== 3) || t.dims[0] !== b.ids.length ||
      (t.dims.length === 3 && t.dims[1] !== b.ids[0].length))
    throw new Error(`${modelPath}: logits of shape [${t ? t.dims : ''}] for a batch of ${b.ids.length}`);
  const L = t.dims.slice(1).reduce((a, d) => a * d, 1);
  const rows = [];
  for (let i = 0; i < t.dims[0]; ++i) rows.push(Array.from(t.data.slice(i * L, (i + 1) * L)));
  logits.push(rows);
}
writeFileSync(outputPath, JSON.stringify({ ort_version: version, logits }));
