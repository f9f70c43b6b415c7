// One-off generator of tests/data/reference/tokenizer/tricky.jsonl: the
// bert-base-uncased WordPiece tokenizer.json of that folder run through
// Hugging Face tokenizers (npm `tokenizers` 0.23.2) on the corpus of tricky
// strings in tests/data/tokenizer_corpus/corpus.json, singly and in pairs,
// with and without truncation. The tests read only what this writes.
//
//   mkdir /tmp/wp-ref && cd /tmp/wp-ref && npm install --ignore-scripts tokenizers@0.23.2
//   node REPO/tests/node/wordpiece_reference.mjs --modules /tmp/wp-ref/node_modules
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const refDir = path.join(repo, 'tests', 'data', 'reference', 'tokenizer');
const args = process.argv.slice(2);
const modules = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : null;
if (!modules) {
  console.error('usage: node wordpiece_reference.mjs --modules DIR/node_modules');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'resolve.js'));
const tk = require('tokenizers');
const tok = tk.Tokenizer.fromString(readFileSync(path.join(refDir, 'tokenizer.json'), 'utf8'));
const corpus = JSON.parse(readFileSync(path.join(repo, 'tests', 'data', 'tokenizer_corpus', 'corpus.json'), 'utf8'));

const cases = [];
async function run(text, pair, maxLength) {
  if (maxLength) tok.setTruncation(maxLength);
  else tok.disableTruncation();
  const e = await tok.encode(text, pair ?? null);
  const c = { text };
  if (pair !== null && pair !== undefined) c.pair = pair;
  if (maxLength) c.max_length = maxLength;
  Object.assign(c, { ids: e.getIds(), type_ids: e.getTypeIds(), tokens: e.getTokens() });
  cases.push(c);
}
for (const t of corpus) await run(t);
for (let i = 0; i + 1 < corpus.length; i += 7) await run(corpus[i], corpus[i + 1]);
for (const n of [3, 5, 8, 13]) {
  await run(corpus[corpus.length - 1], null, n);
  await run(corpus[22], corpus[23], n);
}
writeFileSync(path.join(refDir, 'tricky.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
console.log(`${cases.length} cases; tokenizers ${require('tokenizers/package.json').version}`);
