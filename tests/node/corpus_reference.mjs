// One-off generator of the tricky-corpus reference encodings: the strings of
// tests/data/tokenizer_corpus/corpus.json, singly, in pairs and truncated,
// run through Hugging Face tokenizers (npm `tokenizers` 0.23.2) with
//   - the bert-base-uncased WordPiece tokenizer.json of
//     tests/data/reference/tokenizer -> tests/data/reference/tokenizer/tricky.jsonl
//   - RoBERTa's set-up on GPT-2's vocabulary and merges (configs.json
//     "roberta", vocab.json, merges.txt of tests/data/reference/bpe)
//     -> tests/data/reference/bpe/tricky.jsonl
// The tests read only what this writes; they never run it.
//
//   mkdir /tmp/corpus-ref && cd /tmp/corpus-ref && npm install --ignore-scripts tokenizers@0.23.2
//   node REPO/tests/node/corpus_reference.mjs --modules /tmp/corpus-ref/node_modules
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const ref = path.join(repo, 'tests', 'data', 'reference');
const args = process.argv.slice(2);
const modules = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : null;
if (!modules) {
  console.error('usage: node corpus_reference.mjs --modules DIR/node_modules');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'resolve.js'));
const tk = require('tokenizers');
const corpus = JSON.parse(readFileSync(path.join(repo, 'tests', 'data', 'tokenizer_corpus', 'corpus.json'), 'utf8'));

function byteOffsets(text) {
  const at = [0];
  for (const ch of text) at.push(at[at.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return at;
}

// What bpe_reference.mjs records for a case (byte offsets, decoded text),
// or, for WordPiece, ids, type ids and tokens.
async function encodeCase(tok, bpe, text, pair, maxLength) {
  if (maxLength) tok.setTruncation(maxLength);
  else tok.disableTruncation();
  const e = await tok.encode(text, pair ?? null);
  const c = bpe ? { config: 'roberta', text } : { text };
  if (pair !== null && pair !== undefined) c.pair = pair;
  if (maxLength) c.max_length = maxLength;
  Object.assign(c, { ids: e.getIds(), type_ids: e.getTypeIds() });
  if (!bpe) {
    c.tokens = e.getTokens();
    return c;
  }
  const seq = e.getSequenceIds();
  const maps = [byteOffsets(text), byteOffsets(pair ?? '')];
  c.offsets = e.getOffsets().flatMap(([s, t], i) => (seq[i] === null || seq[i] === undefined ? [s, t] : [maps[seq[i]][s], maps[seq[i]][t]]));
  c.decoded = await tok.decode(e.getIds(), false);
  c.decoded_skip = await tok.decode(e.getIds(), true);
  return c;
}

async function writeCases(tok, bpe, file) {
  const cases = [];
  const run = async (text, pair, maxLength) => cases.push(await encodeCase(tok, bpe, text, pair, maxLength));
  for (const t of corpus) await run(t);
  for (let i = 0; i + 1 < corpus.length; i += 7) await run(corpus[i], corpus[i + 1]);
  // Not below the special tokens' count: tokenizers 0.23.2 then truncates
  // nothing (max_length - added tokens wraps around), ours truncates the texts away.
  for (const n of [3, 5, 8, 13]) await run(corpus[corpus.length - 1], null, n);
  for (const n of [4, 5, 8, 13]) await run(corpus[22], corpus[23], n);
  writeFileSync(file, cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  console.log(`${path.relative(repo, file)}: ${cases.length} cases`);
}

const wordpiece = tk.Tokenizer.fromString(readFileSync(path.join(ref, 'tokenizer', 'tokenizer.json'), 'utf8'));
await writeCases(wordpiece, false, path.join(ref, 'tokenizer', 'tricky.jsonl'));

const bpeDir = path.join(ref, 'bpe');
const config = JSON.parse(readFileSync(path.join(bpeDir, 'configs.json'), 'utf8')).roberta;
config.model.vocab = JSON.parse(readFileSync(path.join(bpeDir, 'vocab.json'), 'utf8'));
config.model.merges = readFileSync(path.join(bpeDir, 'merges.txt'), 'utf8').split('\n').slice(1).filter((l) => l).map((l) => l.split(' '));
await writeCases(tk.Tokenizer.fromString(JSON.stringify(config)), true, path.join(bpeDir, 'tricky.jsonl'));
console.log(`tokenizers ${require('tokenizers/package.json').version}`);
