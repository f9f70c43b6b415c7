// A transformers.js token-classification pipeline on an exported tagger,
// offline: every token's label and score (ignore_labels: none).
//   node tag.mjs MODEL_DIR TEXTS.json OUTPUT.json
// OUTPUT: {"version": "...", "results": [[{"entity", "score", "index", "word"}, ...], ...]}
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

const [modelDir, textsPath, outputPath] = process.argv.slice(2);
if (!outputPath) {
  console.error('usage: node tag.mjs MODEL_DIR TEXTS.json OUTPUT.json');
  process.exit(2);
}
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(modelDir)) + '/';
const tag = await pipeline('token-classification', path.basename(modelDir), {
  dtype: 'fp32',
  local_files_only: true,
  session_options: { intraOpNumThreads: 1 },
});
const texts = JSON.parse(readFileSync(textsPath, 'utf8'));
const results = [];
for (const t of texts) results.push(await tag(t, { ignore_labels: [] }));
writeFileSync(outputPath, JSON.stringify({ version: env.version, results }));
