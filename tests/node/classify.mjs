// A transformers.js text-classification pipeline on an exported folder,
// offline: what a web or Node.js user of the export runs.
//   node classify.mjs MODEL_DIR DTYPE TEXTS.json OUTPUT.json
// DTYPE: fp32 (onnx/model.onnx) or q8 (onnx/model_quantized.onnx).
// OUTPUT: {"version": "...", "results": [[{"label": ..., "score": ...}, ...], ...]}
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

const [modelDir, dtype, textsPath, outputPath] = process.argv.slice(2);
if (!outputPath) {
  console.error('usage: node classify.mjs MODEL_DIR DTYPE TEXTS.json OUTPUT.json');
  process.exit(2);
}
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(modelDir)) + '/';
const classify = await pipeline('text-classification', path.basename(modelDir), {
  dtype,
  local_files_only: true,
  session_options: { intraOpNumThreads: 1 },
});
const texts = JSON.parse(readFileSync(textsPath, 'utf8'));
const results = [];
for (const t of texts) results.push(await classify(t, { top_k: null }));
writeFileSync(outputPath, JSON.stringify({ version: env.version, results }));
