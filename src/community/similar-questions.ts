import { stopwords as germanStopwords } from '@orama/stopwords/german';
import { stopwords as englishStopwords } from '@orama/stopwords/english';
import snowball from 'snowball-stemmers';

/**
 * Groups questions by similar wording, for the coverage gaps of /insights: what members asked
 * that the articles could not answer, counted once per topic rather than once per phrasing.
 *
 * Method. Each question becomes a set of terms (a tokenizer passed in; by default
 * {@link createSimpleTerms}). Two questions are similar when the Jaccard index of their term sets,
 * |A ∩ B| / |A ∪ B|, reaches the threshold (default 0.5: "wahl wien ergebnis" and "wer gewann
 * die wahl in wien" share 2 of 4 terms). Groups are formed by star clustering (Aslam, Pelekhov
 * and Rus, 2004): the question with the most similar questions (weighted by how often each was
 * asked) becomes a centre and takes every still ungrouped question similar to it; repeat. Unlike
 * connected components (single link), this cannot chain unrelated questions through a sequence of
 * neighbours — every member is similar to its group's centre, which is the group's label — and
 * the result does not depend on the order of the input.
 *
 * Similar pairs are found without comparing every pair, by prefix filtering (Chaudhuri, Ganti and
 * Kaushik, 2006; Bayardo, Ma and Srikant, 2007): with terms ordered rarest first, two sets with
 * Jaccard ≥ t always share a term among the first |x| − ⌈t·|x|⌉ + 1 terms of each, so only
 * those are indexed and probed. Exact duplicates are merged before anything else.
 */

/** Turns a question into terms. */
export type Tokenizer = (text: string) => readonly string[];

const QUESTION_WORDS = ['wer', 'wen', 'wem', 'wessen', 'wann', 'warum', 'wieso', 'weshalb', 'wieviel', 'wieviele', 'viele', 'woher', 'wohin', 'welch', 'gibt', 'gab'];
const STOPWORDS = new Set([...germanStopwords, ...englishStopwords, ...QUESTION_WORDS].map(fold));
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Lower case without accents; umlauts, their typed spellings and ß folded alike ("müssen" and
 * "muessen" both become "mussen"). The spellings collide now and then ("Steuer" → "steur"), which
 * costs nothing here: both sides of a comparison are folded the same way.
 */
function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([aou])e/g, '$1');
}

/** Distinct words whose stems a default tokenizer remembers (Snowball's JavaScript stemmer takes about 30 µs a word). */
const STEM_CACHE_LIMIT = 100_000;

/**
 * The default tokenizer: words folded (see {@link fold}), Snowball's German and English function
 * words, question words and one-letter words dropped, the rest reduced by Snowball's German
 * stemmer ("Gaspreisen" and "Gaspreise" meet). Each tokenizer remembers its stems: make one per
 * batch of questions. The bot may pass the lexical analyzer instead.
 */
export function createSimpleTerms(): Tokenizer {
  const stemmer = snowball.newStemmer('german');
  const stems = new Map<string, string>();
  const stem = (word: string): string => {
    let stemmed = stems.get(word);
    if (stemmed === undefined) {
      stemmed = stemmer.stem(word);
      if (stems.size < STEM_CACHE_LIMIT) stems.set(word, stemmed);
    }
    return stemmed;
  };
  return (text) => (fold(text).match(WORD) ?? []).filter((word) => word.length > 1 && !STOPWORDS.has(word)).map(stem);
}

export interface QuestionToGroup {
  readonly question: string;
  readonly createdAt: number;
}

export interface QuestionGroup {
  /** The centre's wording (its latest asking): what the group is about. */
  readonly label: string;
  /** Questions in the group, repeats included. */
  readonly count: number;
  /** Distinct wordings, the latest first. */
  readonly examples: readonly string[];
  readonly lastAskedAt: number;
  /** The centre's terms. */
  readonly terms: readonly string[];
}

export interface GroupingOptions {
  readonly tokenize?: Tokenizer;
  /** Jaccard index at which two questions count as similar (0 < t ≤ 1). */
  readonly threshold?: number;
  /** Distinct wordings kept per group. */
  readonly examples?: number;
}

export const DEFAULT_SIMILARITY = 0.5;

/** One distinct term set and the questions that produced it. */
interface Node {
  readonly terms: readonly string[];
  readonly questions: QuestionToGroup[];
  readonly neighbours: number[];
  weight: number;
  lastAskedAt: number;
}

/** Groups questions by similar wording, largest group first. */
export function groupSimilarQuestions(questions: readonly QuestionToGroup[], options: GroupingOptions = {}): QuestionGroup[] {
  const tokenize = options.tokenize ?? createSimpleTerms();
  const threshold = options.threshold ?? DEFAULT_SIMILARITY;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], not ${threshold}`);
  const nodes = distinctTermSets(questions, tokenize);
  for (const [a, b] of similarPairs(nodes.map((node) => node.terms), threshold)) {
    nodes[a]!.neighbours.push(b);
    nodes[b]!.neighbours.push(a);
  }
  for (const node of nodes) node.weight = node.questions.length + node.neighbours.reduce((sum, i) => sum + nodes[i]!.questions.length, 0);

  const order = nodes.map((_, i) => i).sort((a, b) => compareCentres(nodes[a]!, nodes[b]!));
  const grouped = new Set<number>();
  const groups: QuestionGroup[] = [];
  for (const centre of order) {
    if (grouped.has(centre)) continue;
    const members = [centre, ...nodes[centre]!.neighbours.filter((i) => !grouped.has(i))];
    for (const member of members) grouped.add(member);
    groups.push(describeGroup(nodes[centre]!, members.map((i) => nodes[i]!), options.examples ?? 3));
  }
  return groups.sort((a, b) => b.count - a.count || b.lastAskedAt - a.lastAskedAt || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** Centres first: the most weight, then the most recently asked, then by terms (a total order, so the input order never matters). */
function compareCentres(a: Node, b: Node): number {
  const byTerms = a.terms.join(' ') < b.terms.join(' ') ? -1 : a.terms.join(' ') > b.terms.join(' ') ? 1 : 0;
  return b.weight - a.weight || b.lastAskedAt - a.lastAskedAt || byTerms;
}

/** Merges questions with the same term set; a question without terms stands for its folded text. */
function distinctTermSets(questions: readonly QuestionToGroup[], tokenize: Tokenizer): Node[] {
  const byKey = new Map<string, Node>();
  for (const item of questions) {
    let terms = [...new Set(tokenize(item.question))].sort();
    if (terms.length === 0) terms = [`"${fold(item.question).trim()}"`];
    const key = terms.join('\u0000');
    let node = byKey.get(key);
    if (!node) byKey.set(key, (node = { terms, questions: [], neighbours: [], weight: 0, lastAskedAt: -Infinity }));
    node.questions.push(item);
    node.lastAskedAt = Math.max(node.lastAskedAt, item.createdAt);
  }
  return [...byKey.values()];
}

function describeGroup(centre: Node, members: readonly Node[], exampleCount: number): QuestionGroup {
  const asked = members.flatMap((node) => node.questions).sort((a, b) => b.createdAt - a.createdAt);
  const examples: string[] = [];
  const seen = new Set<string>();
  for (const { question } of asked) {
    const key = fold(question).replace(/\s+/g, ' ').trim();
    if (seen.has(key)) continue;
    seen.add(key);
    if (examples.length < exampleCount) examples.push(question);
  }
  const label = [...centre.questions].sort((a, b) => b.createdAt - a.createdAt)[0]!.question;
  return { label, count: asked.length, examples, lastAskedAt: asked[0]!.createdAt, terms: centre.terms };
}

/** |A ∩ B| / |A ∪ B| of two sets of distinct terms. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const small = a.length <= b.length ? a : b;
  const large = new Set(a.length <= b.length ? b : a);
  let shared = 0;
  for (const term of small) if (large.has(term)) shared++;
  const union = a.length + b.length - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * Every pair (i, j), i < j, of term sets (each without repeats) whose Jaccard index reaches
 * `threshold`, found by prefix filtering (see the module comment). Sets are visited from the
 * smallest, so a set's candidates are never more than 1/t times larger than it (the length filter).
 */
export function similarPairs(sets: readonly (readonly string[])[], threshold: number): [number, number][] {
  const frequency = new Map<string, number>();
  for (const set of sets) for (const term of set) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  const rarestFirst = (a: string, b: string): number => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  const ordered = sets.map((set) => [...set].sort(rarestFirst));
  const visit = sets.map((_, i) => i).sort((a, b) => sets[a]!.length - sets[b]!.length || a - b);
  const postings = new Map<string, number[]>();
  const pairs: [number, number][] = [];
  for (const i of visit) {
    const terms = ordered[i]!;
    const prefix = terms.length - Math.ceil(threshold * terms.length) + 1;
    const candidates = new Set<number>();
    for (const term of terms.slice(0, prefix)) for (const j of postings.get(term) ?? []) candidates.add(j);
    for (const j of candidates) {
      // Length filter: a set smaller than t·|x| cannot reach the threshold.
      if (sets[j]!.length < threshold * terms.length) continue;
      if (jaccard(sets[i]!, sets[j]!) >= threshold) pairs.push(i < j ? [i, j] : [j, i]);
    }
    for (const term of terms.slice(0, prefix)) {
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push(i);
    }
  }
  return pairs;
}
