// One-off generator of tests/data/reference/sentencepiece/: a real
// SentencePiece Unigram model (tests/data/sentencepiece/test_model.model,
// from Debian's sentencepiece source package) turned into a tokenizer.json
// as transformers' XLMRobertaConverter turns an XLM-RoBERTa
// sentencepiece.bpe.model into one (fairseq's <s> <pad> </s> <unk> first, the
// model's pieces from its fourth on, <mask> last; the model's precompiled
// charsmap, Strip right, runs of 2+ spaces to "▁"; Metaspace "always";
// <s> A </s></s> B </s>), then run through Hugging Face tokenizers (npm
// `tokenizers`) on the corpus of tricky strings, sentences, pairs and
// truncations. The tests read only what this writes; they never run it.
//
//   mkdir /tmp/spm-ref && cd /tmp/spm-ref
//   npm install --ignore-scripts tokenizers@0.23.2
//   node REPO/tests/node/spm_reference.mjs --modules /tmp/spm-ref/node_modules
//       writes tokenizer.json, cases.jsonl
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const modelPath = path.join(repo, 'tests', 'data', 'sentencepiece', 'test_model.model');
const outDir = path.join(repo, 'tests', 'data', 'reference', 'sentencepiece');
const args = process.argv.slice(2);
const modules = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : null;
if (!modules) {
  console.error('usage: node spm_reference.mjs --modules DIR/node_modules');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'resolve.js'));
const tk = require('tokenizers');

// ---- The protobuf wire format, enough for sentencepiece_model.proto's
// ModelProto: pieces (1: piece, 2: score, 3: type), trainer_spec (3:
// model_type), normalizer_spec (2: precompiled_charsmap).
function fields(buf) {
  const out = [];
  let p = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) out.push({ field, value: varint() });
    else if (wire === 1) { out.push({ field, bytes: buf.subarray(p, p + 8) }); p += 8; }
    else if (wire === 5) { out.push({ field, bytes: buf.subarray(p, p + 4) }); p += 4; }
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, bytes: buf.subarray(p, p + n) });
      p += n;
    } else throw new Error(`wire type ${wire} at ${p}`);
  }
  return out;
}

function readModel(file) {
  const pieces = [];
  let modelType = 1, charsmap = null;
  for (const f of fields(readFileSync(file))) {
    if (f.field === 1) {
      const piece = { piece: '', score: 0, type: 1 };
      for (const g of fields(f.bytes)) {
        if (g.field === 1) piece.piece = Buffer.from(g.bytes).toString('utf8');
        if (g.field === 2) piece.score = Buffer.from(g.bytes).readFloatLE(0);
        if (g.field === 3) piece.type = Number(g.value);
      }
      pieces.push(piece);
    } else if (f.field === 2) {
      for (const g of fields(f.bytes)) if (g.field === 3) modelType = Number(g.value);
    } else if (f.field === 3) {
      for (const g of fields(f.bytes)) if (g.field === 2) charsmap = Buffer.from(g.bytes);
    }
  }
  return { pieces, modelType, charsmap };
}

function converted({ pieces, modelType, charsmap }) {
  if (modelType !== 1) throw new Error('not a Unigram model');
  const vocab = [['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0]];
  for (const p of pieces.slice(3)) vocab.push([p.piece, p.score]);
  vocab.push(['<mask>', 0]);
  const special = (id, content, lstrip = false) =>
    ({ id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true });
  const normalizers = [
    { type: 'Strip', strip_left: false, strip_right: true },
    { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '\u2581' },
  ];
  if (charsmap) normalizers.unshift({ type: 'Precompiled', precompiled_charsmap: charsmap.toString('base64') });
  const s = (id) => ({ SpecialToken: { id, type_id: 0 } });
  const q = (id) => ({ Sequence: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<s>'), special(1, '<pad>'), special(2, '</s>'), special(3, '<unk>'),
      special(vocab.length - 1, '<mask>', true)],
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [s('<s>'), q('A'), s('</s>')],
      pair: [s('<s>'), q('A'), s('</s>'), s('</s>'), q('B'), s('</s>')],
      special_tokens: {
        '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] },
        '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] },
      },
    },
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab, byte_fallback: false },
  };
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
    ['Hello <s> there </s>', 'a<unk>b <pad>'],
    ...sentences.slice(0, 10).map((s, i) => [s, sentences[i + 10]]),
  ];
  return { edge, sentences, pairs };
}

async function main() {
  const tok = tk.Tokenizer.fromString(JSON.stringify(converted(readModel(modelPath))));
  mkdirSync(outDir, { recursive: true });
  tok.save(path.join(outDir, 'tokenizer.json'), false);
  const { edge, sentences, pairs } = inputs();
  const cases = [];
  const run = async (text, pair, maxLength) => {
    if (maxLength) tok.setTruncation(maxLength);
    else tok.disableTruncation();
    const e = await tok.encode(text, pair ?? null);
    const c = { text };
    if (pair !== null && pair !== undefined) c.pair = pair;
    if (maxLength) c.max_length = maxLength;
    Object.assign(c, { ids: e.getIds(), type_ids: e.getTypeIds(), tokens: e.getTokens() });
    cases.push(c);
  };
  for (const t of [...edge, ...sentences]) await run(t);
  for (const [a, b] of pairs) await run(a, b);
  const long = sentences.filter((s) => s.length > 60);
  for (const n of [2, 3, 5, 8, 13]) await run(long[n], null, n);
  for (const n of [4, 5, 7, 9, 12, 21]) {
    await run(long[0], 'short one', n);
    await run(long[1], long[2], n);
    await run('', long[3], n);
    await run(long[4], '', n);
  }
  writeFileSync(path.join(outDir, 'cases.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const version = require('tokenizers/package.json').version;
  console.log(`${cases.length} cases; tokenizers ${version}`);
}

await main();
