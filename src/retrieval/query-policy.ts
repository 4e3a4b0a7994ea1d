import type { Analyzer } from '../index/analyzer.ts';

/**
 * Words that frame a question rather than say what it is about: "Wie heißt …", "Welche Art von
 * …", "In welchem Jahr …". The answering passage rarely contains them (it gives the name, the
 * kind, the year), so at full weight they pull in passages that happen to say "heißt" or "Jahr".
 * A question counts them at QUESTION_FRAME_WEIGHT (tuned on the XQuAD-de dev questions among 0,
 * 0.1, 0.2 and 0.5); passages index them as usual.
 *
 * Fitted to a corpus: the list was drawn from the XQuAD-de dev questions' frames; its test
 * (query-policy.test.ts) checks it on questions written outside the eval sets.
 */
const QUESTION_FRAME_WORDS = [
  'heißen', 'heißt', 'hieß', 'hießen', 'lautet', 'lautete', 'lauten', 'nennt', 'nennen', 'nannte',
  'Name', 'Namen', 'Bezeichnung', 'Begriff', 'Art', 'Jahr',
  'called', 'name', 'named', 'term', 'kind', 'type', 'year',
];
const QUESTION_FRAME_WEIGHT = 0.2;

/**
 * How a question's terms count in a lexical search: the query policy, kept apart from the
 * analyzer (which only says what the terms are). Built for one analyzer, whose terms it knows.
 */
export class QueryPolicy {
  private readonly frameTerms: ReadonlySet<string>;

  constructor(analyzer: Analyzer) {
    this.frameTerms = new Set(QUESTION_FRAME_WORDS.map((word) => analyzer.term(word)).filter((term): term is string => term !== null));
  }

  /** 1, or QUESTION_FRAME_WEIGHT for a question-frame word. */
  readonly termWeight = (term: string): number => (this.frameTerms.has(term) ? QUESTION_FRAME_WEIGHT : 1);
}
