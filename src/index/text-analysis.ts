import snowball from 'snowball-stemmers';
import { eng as englishStopwords } from 'stopword';
import { stopwords as snowballGerman } from '@orama/stopwords/german';
import { stopwords as snowballEnglish } from '@orama/stopwords/english';
import { verbInfinitive } from './verb-lemmas.ts';

/**
 * Turns text into the terms the lexical index matches on. German inflection ("Sicherheits-
 * garantien" vs "Sicherheitsgarantie") defeats exact word matching, so words are stemmed with
 * Snowball's German stemmer, which also folds umlauts (ä→a) and ß (→ss); remaining accents are
 * folded too, so "Muller" finds "Müller". Verb forms written in lower case are stemmed from
 * their infinitive (verb-lemmas.ts), so "eingenommen" meets "einnahmen" and "einnehmen";
 * capitalised words are left alone, as German capitalises nouns ("Stand", "Schloss") that
 * look like verb forms.
 * Bump ANALYZER_VERSION whenever the terms change: a stored lexical index made with other
 * terms is rebuilt from its passages rather than searched with mismatched ones.
 */
export const ANALYZER_VERSION = 4;

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
const STOPWORDS = new Set([...snowballGerman, ...snowballEnglish, ...englishStopwords, ...QUESTION_WORDS, ...AUXILIARY_FORMS].map((word) => word.toLowerCase()));
const germanStemmer = snowball.newStemmer('german');
const TOKEN = /[\p{L}\p{N}]+/gu;

/** Stems are cached: news text repeats its vocabulary, and stemming dominates indexing time. */
const stemCache = new Map<string, string | null>();
const STEM_CACHE_LIMIT = 200_000;

/**
 * Words that frame a question rather than say what it is about: "Wie heißt …", "Welche Art von
 * …", "In welchem Jahr …". The answering passage rarely contains them (it gives the name, the
 * kind, the year), so at full weight they pull in passages that happen to say "heißt" or "Jahr".
 * A question counts them at QUESTION_FRAME_WEIGHT (tuned on the XQuAD-de dev questions among 0,
 * 0.1, 0.2 and 0.5); passages index them as usual.
 */
const QUESTION_FRAME_WORDS = [
  'heißen', 'heißt', 'hieß', 'hießen', 'lautet', 'lautete', 'lauten', 'nennt', 'nennen', 'nannte',
  'Name', 'Namen', 'Bezeichnung', 'Begriff', 'Art', 'Jahr',
  'called', 'name', 'named', 'term', 'kind', 'type', 'year',
];
const QUESTION_FRAME_WEIGHT = 0.2;
let questionFrameTerms: ReadonlySet<string | null> | null = null;

/** How much a question's term counts: 1, or QUESTION_FRAME_WEIGHT for a question-frame word. */
export function questionTermWeight(term: string): number {
  questionFrameTerms ??= new Set(QUESTION_FRAME_WORDS.map((word) => processTerm(word)));
  return questionFrameTerms.has(term) ? QUESTION_FRAME_WEIGHT : 1;
}

/**
 * Builds what the analyzer otherwise builds on first use (the verb-form table, about 0.2 s), so
 * that a bot's first question does not wait for it.
 */
export function prepareAnalyzer(): void {
  verbInfinitive('');
}

/** Splits text into raw word tokens (letters and digits), keeping their original case. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** The index term for one token, or null for stop words and noise. */
export function processTerm(token: string): string | null {
  const cached = stemCache.get(token);
  if (cached !== undefined) return cached;
  const term = computeTerm(token);
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
  stemCache.set(token, term);
  return term;
}

function computeTerm(token: string): string | null {
  const lower = token.toLowerCase();
  if (STOPWORDS.has(lower)) return null;
  if (lower.length > 40) return null;
  const word = token === lower ? (verbInfinitive(lower) ?? lower) : lower;
  // "gewesen", "gehabt" and "geworden" are forms of auxiliaries, stop words like the others.
  if (word !== lower && STOPWORDS.has(word)) return null;
  return foldDiacritics(germanStemmer.stem(word.replace(/ß/g, 'ss')));
}

function foldDiacritics(term: string): string {
  return term.normalize('NFD').replace(/\p{M}/gu, '');
}

/** All index terms of a text, in order (stop words removed). */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    const term = processTerm(token);
    if (term !== null) terms.push(term);
  }
  return terms;
}

const MIN_PART = 4;
const MIN_COMPOUND = 9;
/** The shortest head a compound may have when the corpus does not know it. */
const MIN_UNKNOWN_HEAD = 6;
/** Linking elements (Fugenelemente) between the parts of a German compound. */
const LINKS = ['s', 'es', 'n', 'en'];

/**
 * Splits German compounds into two known words, so that "Friedenstruppen" also matches
 * "Truppen" and "Frieden", and the other way round. The vocabulary is the corpus's own (words
 * seen at least twice), which needs no dictionary and adapts to the articles; the longest known
 * head wins, since German compounds are right-headed ("Ausbildungs|missionen"). Failing that,
 * the longest known modifier is split off an unknown head.
 */
function countWords(text: string, counts: Map<string, number>): void {
  for (const token of tokenize(text)) {
    if (token.length < MIN_PART) continue;
    const word = token.toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
}

function frequentWords(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].filter(([, count]) => count >= 2).map(([word]) => word).sort();
}

export class Decompounder {
  private readonly cache = new Map<string, readonly string[]>();

  constructor(private readonly vocabulary: ReadonlySet<string>) {}

  /** Words of at least MIN_PART letters that occur at least twice in the texts. */
  static vocabularyOf(texts: Iterable<string>): string[] {
    const counts = new Map<string, number>();
    for (const text of texts) countWords(text, counts);
    return frequentWords(counts);
  }

  /** {@link vocabularyOf}, yielding to the event loop after every `slice` texts (a bot building in the background). */
  static async vocabularyOfAsync(texts: readonly string[], slice = 100): Promise<string[]> {
    const counts = new Map<string, number>();
    for (let start = 0; start < texts.length; start += slice) {
      for (const text of texts.slice(start, start + slice)) countWords(text, counts);
      await new Promise((resolve) => setImmediate(resolve));
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

  private findSplit(word: string): readonly string[] {
    for (let cut = MIN_PART; cut <= word.length - MIN_PART; cut++) {
      const head = word.slice(cut);
      if (!this.vocabulary.has(head)) continue;
      const modifier = word.slice(0, cut);
      if (this.vocabulary.has(modifier)) return [modifier, head];
      for (const link of LINKS) {
        const base = modifier.slice(0, -link.length);
        if (modifier.endsWith(link) && base.length >= MIN_PART && this.vocabulary.has(base)) return [base, head];
      }
    }
    // A head the corpus has not seen twice still leaves a known modifier worth matching
    // ("Paket|kennzeichnung"). The head must be long, so that inflected and derived forms of a
    // known word ("Gesellschaft|en", "Untersuchung|en") are not split into it and an ending.
    for (let cut = word.length - MIN_UNKNOWN_HEAD; cut >= MIN_PART; cut--) {
      const modifier = word.slice(0, cut);
      if (this.vocabulary.has(modifier)) return [modifier, word.slice(cut)];
    }
    return [];
  }
}

/**
 * The stemmed terms of a token's compound parts (none for a simple word), unmarked: a part is
 * the same term as the word on its own, so "Truppen" in a question meets the part of
 * "Friedenstruppen" in a passage, and a part of a compound in a question meets the plain word.
 * The index keeps parts in a field of their own and queries weigh them lower, so that an exact
 * match still outranks a part match.
 */
export function partTerms(token: string, decompounder: Decompounder, own: string | null): string[] {
  const terms: string[] = [];
  for (const part of decompounder.split(token)) {
    const term = processTerm(part);
    if (term !== null && term !== own) terms.push(term);
  }
  return terms;
}
