// ONNX Runtime's side of bench_vs_ort: runs an ONNX model over the batches
// in a JSON file (the same token ids our evaluator ran), `rounds` times,
// and prints the best round's seconds as JSON, with each row's label
// (the argmax of its logits, batch after batch) as `labels`.
//   node ort_batches.mjs MODEL.onnx BATCHES.json ROUNDS THREADS
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';

const [model, batchesFile, roundsS, threadsS] = process.argv.slice(2);
if (!threadsS) {
  console.error('usage: node ort_batches.mjs MODEL.onnx BATCHES.json ROUNDS THREADS');
  process.exit(2);
}
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: Number(threadsS),
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const feeds = JSON.parse(readFileSync(batchesFile, 'utf8')).map((b) => {
  const t = (v) => new ort.Tensor('int64', BigInt64Array.from(v, BigInt), [b.rows, b.cols]);
  return { input_ids: t(b.ids), attention_mask: t(b.mask), token_type_ids: t(b.types) };
});
const labels = [];
for (const f of feeds) {  // warm-up, and the labels
  const t = (await session.run(f)).logits;
  const K = t.dims[t.dims.length - 1];
  for (let i = 0; i < t.dims[0]; ++i) {
    let best = 0;
    for (let k = 1; k < K; ++k) if (t.data[i * K + k] > t.data[i * K + best]) best = k;
    labels.push(best);
  }
}
let best = Infinity;
for (let r = 0; r < Number(roundsS); ++r) {
  const t0 = process.hrtime.bigint();
  for (const f of feeds) await session.run(f);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
}
console.log(JSON.stringify({ seconds: best, labels }));
