// One-off generator of tests/data/reference/unigram/: Unigram tokenizers
// (XLM-RoBERTa's set-up as `paretoprune-cli make-tiny --model-type
// xlm-roberta` writes it, and variants with a SentencePiece precompiled
// charsmap, byte fallback and added tokens) run through Hugging Face
// tokenizers (npm `tokenizers`, the Rust core behind transformers' fast
// tokenizers) on the corpus of tricky strings in
// tests/data/tokenizer_corpus/corpus.json. The tests read only what this
// writes; they never run it.
//
//   mkdir /tmp/unigram-ref && cd /tmp/unigram-ref
//   npm install --ignore-scripts tokenizers@0.23.2
//   paretoprune-cli make-tiny /tmp/unigram-ref/tiny --model-type xlm-roberta
//   node REPO/tests/node/unigram_reference.mjs --modules /tmp/unigram-ref/node_modules \
//       --tiny /tmp/unigram-ref/tiny/tokenizer.json
//       writes configs.json, cases.jsonl
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const outDir = path.join(repo, 'tests', 'data', 'reference', 'unigram');
const args = process.argv.slice(2);
const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const modules = arg('--modules');
const tinyPath = arg('--tiny');
if (!modules || !tinyPath) {
  console.error('usage: node unigram_reference.mjs --modules DIR/node_modules --tiny TOKENIZER.json');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'resolve.js'));
const tk = require('tokenizers');

// ---- A SentencePiece precompiled_charsmap of our own rules: a darts-clone
// double array (the format spm_precompiled reads) over the UTF-8 keys, each
// leaf the offset of its replacement in a table of '\0'-ended texts.
function buildCharsmap(rules) {
  const table = [];
  const offsets = new Map();
  let tableLen = 0;
  for (const [, to] of rules) {
    if (offsets.has(to)) continue;
    offsets.set(to, tableLen);
    const bytes = Buffer.concat([Buffer.from(to, 'utf8'), Buffer.from([0])]);
    table.push(bytes);
    tableLen += bytes.length;
  }
  // The trie of the keys: children by byte, and the value of a key ending here.
  const root = { kids: new Map(), value: -1 };
  for (const [from, to] of rules) {
    let n = root;
    for (const b of Buffer.from(from, 'utf8')) {
      if (!n.kids.has(b)) n.kids.set(b, { kids: new Map(), value: -1 });
      n = n.kids.get(b);
    }
    n.value = offsets.get(to);
  }
  const units = [0];
  const used = new Set([0]);
  const bases = new Set();
  const put = (pos, unit) => {
    while (units.length <= pos) units.push(0);
    units[pos] = unit >>> 0;
    used.add(pos);
  };
  // Places the children of node `n` (whose unit is at `pos`, label `label`).
  const place = (n, pos, label, hasLeaf) => {
    const labels = [...n.kids.keys()];
    if (n.value >= 0) labels.push(0);
    let base = 1;
    while (bases.has(base) || labels.some((c) => used.has(base ^ c))) ++base;
    bases.add(base);
    const offset = pos ^ base;
    if (offset >= 1 << 21) throw new Error('charsmap too large for this builder');
    put(pos, (offset << 10) | (hasLeaf ? 1 << 8 : 0) | label);
    if (n.value >= 0) put(base, (2 ** 31 + n.value) >>> 0);
    for (const [c, kid] of n.kids) used.add(base ^ c);
    for (const [c, kid] of n.kids) place(kid, base ^ c, c, kid.value >= 0);
  };
  place(root, 0, 0, false);
  const trie = Buffer.alloc(units.length * 4);
  units.forEach((u, i) => trie.writeUInt32LE(u, i * 4));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(trie.length, 0);
  return Buffer.concat([header, trie, ...table]).toString('base64');
}

const rules = [
  ['\u00a0', ' '], ['\u3000', ' '], ['\t', ' '], ['\n', ' '], ['\r', ' '],
  ['\ufb01', 'fi'], ['\u2122', 'TM'], ['\u2460', '1'], ['\uff21', 'A'], ['\uff41', 'a'],
  ['\u200b', ''], ['\u00ad', ''], ['e\u0301', '\u00e9'], ['\uff76', '\u30ab'],
  ['\u2026', '...'], ['\u201c', '"'], ['\u201d', '"'], ['\u00bd', '1\u20442'],
  ['\u1e9b\u0323', '\u1e69'], ['\ud83d\udc4d\ud83c\udffd', '+1'],
];

function variants(tiny) {
  const meta = '\u2581';
  const out = { xlmr: tiny };
  const pre = JSON.parse(JSON.stringify(tiny));
  pre.normalizer = {
    type: 'Sequence',
    normalizers: [
      { type: 'Precompiled', precompiled_charsmap: buildCharsmap(rules) },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
    ],
  };
  pre.pre_tokenizer = { type: 'Metaspace', replacement: meta, prepend_scheme: 'first', split: true };
  pre.post_processor = { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true };
  out.precompiled = pre;
  const fb = JSON.parse(JSON.stringify(tiny));
  const vocab = fb.model.vocab.slice(0, -1);
  for (let b = 0; b < 256; ++b) vocab.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, -20]);
  vocab.push(['<mask>', 0]);
  fb.model.vocab = vocab;
  fb.model.byte_fallback = true;
  fb.added_tokens = fb.added_tokens.map((a) => (a.content === '<mask>' ? { ...a, id: vocab.length - 1 } : a));
  fb.added_tokens.push({ id: vocab.length, content: '[new]', single_word: false, lstrip: false, rstrip: true, normalized: true, special: false });
  fb.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Replace', pattern: { String: '``' }, content: '"' }] };
  fb.pre_tokenizer = { type: 'Metaspace', replacement: meta, prepend_scheme: 'never', split: false };
  fb.post_processor = { type: 'BertProcessing', sep: ['</s>', 2], cls: ['<s>', 0] };
  out.fallback = fb;
  return out;
}

function inputs() {
  const edge = JSON.parse(readFileSync(path.join(repo, 'tests', 'data', 'tokenizer_corpus', 'corpus.json'), 'utf8'));
  const tsv = readFileSync(path.join(repo, 'resources', 'demo', 'sentiment-train.tsv'), 'utf8')
    .split('\n').slice(1).filter((l) => l).map((l) => l.split('\t')[0]);
  const sentences = tsv.filter((_, i) => i % 40 === 0);
  const pairs = [
    ['What is the capital of France?', 'Paris is the capital of France.'],
    ['Is it good?', ''], ['', 'Only the second.'], ['', ''], [' ', ' '], ['café', 'naïve'],
    ['日本語', '中文'], ['😀', '😃 😄'], ['Hello <mask>', '<mask> world'], ['  x  ', '  y  '],
    ...sentences.slice(0, 10).map((s, i) => [s, sentences[i + 10]]),
  ];
  return { edge, sentences, pairs };
}

async function runCase(tok, config, text, pair, maxLength) {
  if (maxLength) tok.setTruncation(maxLength);
  else tok.disableTruncation();
  const e = await tok.encode(text, pair ?? null);
  const c = { config, text };
  if (pair !== null && pair !== undefined) c.pair = pair;
  if (maxLength) c.max_length = maxLength;
  Object.assign(c, { ids: e.getIds(), type_ids: e.getTypeIds(), tokens: e.getTokens() });
  return c;
}

async function writeReference() {
  const configs = variants(JSON.parse(readFileSync(tinyPath, 'utf8')));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'unigram-ref-'));
  const toks = {};
  const saved = {};
  for (const [name, config] of Object.entries(configs)) {
    const tok = tk.Tokenizer.fromString(JSON.stringify(config));
    tok.save(path.join(scratch, `${name}.json`), false);
    saved[name] = JSON.parse(readFileSync(path.join(scratch, `${name}.json`), 'utf8'));
    toks[name] = tok;
  }
  rmSync(scratch, { recursive: true });
  writeFileSync(path.join(outDir, 'configs.json'), JSON.stringify(saved, null, 1) + '\n');
  const { edge, sentences, pairs } = inputs();
  const cases = [];
  const run = async (config, text, pair, maxLength) =>
    cases.push(await runCase(toks[config], config, text, pair, maxLength));
  for (const config of Object.keys(configs)) {
    for (const t of [...edge, ...sentences]) await run(config, t);
    for (const [a, b] of pairs) await run(config, a, b);
    const long = sentences.filter((s) => s.length > 60);
    for (const n of [2, 3, 5, 8, 13]) await run(config, long[n], null, n);
    for (const n of [4, 5, 7, 9, 12, 21]) {
      await run(config, long[0], 'short one', n);
      await run(config, long[1], long[2], n);
      await run(config, '', long[3], n);
    }
  }
  writeFileSync(path.join(outDir, 'cases.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const version = require('tokenizers/package.json').version;
  console.log(`${cases.length} cases; tokenizers ${version}`);
}

await writeReference();
