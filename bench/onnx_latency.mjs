// Load time and latency of an ONNX model in onnxruntime-node, for
// bench_export (which copies this file beside BUILD/node/node_modules).
//   node onnx_latency.mjs MODEL.onnx SEQ VOCAB RUNS THREADS BATCH...
// Prints JSON: {"ort_version", "load_ms" (best of 3), "latency": [{"batch", "median", "p95"}]}
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';

const [model, seqS, vocabS, runsS, threadsS, ...batchesS] = process.argv.slice(2);
if (!batchesS.length) {
  console.error('usage: node onnx_latency.mjs MODEL.onnx SEQ VOCAB RUNS THREADS BATCH...');
  process.exit(2);
}
const [seq, vocab, runs, threads] = [seqS, vocabS, runsS, threadsS].map(Number);
const version = createRequire(import.meta.url)('onnxruntime-node/package.json').version;
const options = { intraOpNumThreads: threads, interOpNumThreads: 1 };

let loadMs = Infinity, session;
for (let i = 0; i < 3; ++i) {
  const t0 = process.hrtime.bigint();
  session = await ort.InferenceSession.create(model, options);
  loadMs = Math.min(loadMs, Number(process.hrtime.bigint() - t0) / 1e6);
}

// A fixed pseudo-random token stream (xorshift), the same for every model.
let state = 12345;
function nextId() {
  state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
  return 1 + ((state >>> 0) % (vocab - 1));
}

const latency = [];
for (const batch of batchesS.map(Number)) {
  const n = batch * seq;
  const ids = new BigInt64Array(n).map(() => BigInt(nextId()));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [batch, seq]),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), [batch, seq]),
  };
  for (let i = 0; i < 2; ++i) await session.run(feeds);
  const t = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  latency.push({ batch, median: t[Math.floor(t.length / 2)], p95: t[Math.min(t.length - 1, Math.floor(0.95 * t.length))] });
}
console.log(JSON.stringify({ ort_version: version, load_ms: loadMs, latency }));
