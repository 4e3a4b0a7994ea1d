/**
 * What kind of answer a question asks for, and whether a passage holds one: "wie viele" / "how
 * many" wants a number, "wann" / "when" a date, "wer" / "who" a name, "warum" / "why" a reason.
 * Among the paragraphs of the right article, the one that answers holds that kind of thing; the
 * lead paragraph, which repeats the question's subject, often does not. Query policy, so it lives
 * in retrieval, beside the question-frame words.
 *
 * The cue words are the interrogatives of German and English grammar, in the spellings chat
 * questions use ("wieviel", "wieso"); the evidence patterns are general (digits, number words,
 * month names, causal conjunctions), not drawn from any corpus.
 */
export type AnswerType = 'number' | 'date' | 'name' | 'reason';

/** Question openings, lower-cased, by the answer they ask for; the first that matches wins, so longer cues come first. */
const CUES: readonly { readonly type: AnswerType; readonly pattern: RegExp }[] = [
  { type: 'date', pattern: /\b(seit wann|bis wann|ab wann|wann|in welchem jahr|welches jahr|when|what year|since when)\b/u },
  { type: 'number', pattern: /\b(wie ?viele?|wie ?viel|wie hoch|wie lange?|wie oft|wie alt|wie gro(ß|ss)|um wie ?viel|ab wie ?viel|how (many|much|long|often|old|high|big)|what percentage)\b/u },
  { type: 'reason', pattern: /\b(warum|wieso|weshalb|weswegen|why|how come)\b/u },
  { type: 'name', pattern: /\b(wer|wen|wem|wessen|who|whom|whose)\b/u },
];

const MONTHS = 'jänner|januar|februar|feber|märz|april|mai|juni|juli|august|september|oktober|november|dezember|january|february|march|may|june|july|october|december';
const WEEKDAYS = 'montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|thursday|friday|saturday|sunday';

const EVIDENCE: Readonly<Record<AnswerType, RegExp>> = {
  number: /\d|\b(eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert|tausend|million(en)?|milliarde(n)?|dutzend|hälfte|drittel|viertel|prozent|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|percent)\b/iu,
  date: new RegExp(`\\b(1[89]\\d\\d|20\\d\\d|${MONTHS}|${WEEKDAYS}|jahrhundert|jahrzehnt|uhr)\\b|\\d{1,2}\\.\\s?\\d{1,2}\\.`, 'iu'),
  // A capitalised word that does not start a sentence and is followed by another: "Franz Voves", "Jonatan Soriano".
  name: /(?<![.!?:]\s)(?<!^)\b\p{Lu}\p{Ll}+\s\p{Lu}\p{Ll}+/u,
  reason: /\b(weil|da|denn|wegen|aufgrund|grund|gründe[n]?|deshalb|daher|darum|deswegen|um zu|schuld|ursache|because|due to|reason|since)\b/iu,
};

/** The answer type a question asks for, or null when it names none. */
export function answerTypeOf(question: string): AnswerType | null {
  const text = question.toLowerCase();
  for (const { type, pattern } of CUES) {
    if (pattern.test(text)) return type;
  }
  return null;
}

/** Whether a passage holds an answer of the given type (a number, a date, a name, a reason). */
export function holdsAnswerType(text: string, type: AnswerType): boolean {
  return EVIDENCE[type].test(text);
}

/**
 * How much a paragraph that holds the asked-for kind of answer gains against the other
 * paragraphs of its article: its score times 1 + ANSWER_TYPE_GAIN. Tuned on the dev halves
 * among 0.2, 0.4 and 1 (README, "Tuning record").
 */
export const ANSWER_TYPE_GAIN = 0.2;

/**
 * Chooses among the paragraphs of the best candidate's article: those that hold the kind of
 * answer the question asks for gain ANSWER_TYPE_GAIN of their score, and the article's
 * candidates are ranked again among themselves, in the places the article's candidates held.
 * Other articles' candidates do not move: the cue says which paragraph answers, not which
 * article is about the question. Unchanged when the question names no answer type. `originOf`
 * gives the text to look in: the retriever passes the paragraph's sentence that holds the most
 * of the question (paragraph-choice.ts), since a date or a number elsewhere in a lead paragraph
 * ("Am Montag …") is seldom the one asked for.
 */
export function withAnswerType<T extends { readonly label: number; readonly score: number }>(
  candidates: readonly T[],
  question: string,
  originOf: (label: number) => { readonly articleId: string; readonly text: string },
): T[] {
  const type = answerTypeOf(question);
  const top = candidates[0];
  if (type === null || !top) return [...candidates];
  const article = originOf(top.label).articleId;
  const places: number[] = [];
  const own: { candidate: T; gained: number; position: number }[] = [];
  candidates.forEach((candidate, position) => {
    const origin = originOf(candidate.label);
    if (origin.articleId !== article) return;
    places.push(position);
    own.push({ candidate, gained: candidate.score * (holdsAnswerType(origin.text, type) ? 1 + ANSWER_TYPE_GAIN : 1), position });
  });
  own.sort((a, b) => b.gained - a.gained || a.position - b.position);
  const ranked = [...candidates];
  places.forEach((place, i) => (ranked[place] = own[i]!.candidate));
  return ranked;
}
