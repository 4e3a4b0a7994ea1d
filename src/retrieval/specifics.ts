import type { Passage } from '../articles/article.ts';
import type { Analyzer } from '../index/analyzer.ts';
import type { LexicalIndex, QueryTerm } from '../index/lexical-index.ts';

/**
 * The numbers up to twelve as German and English write them in words, cardinal and ordinal:
 * German news writes "drei Tote" and "der Zweite Weltkrieg" where a question types "3" or "2.".
 * (Duden and the news agencies write numbers up to twelve in words, larger ones in digits.)
 */
const NUMBER_WORDS: readonly (readonly string[])[] = [
  ['null', 'zero'],
  ['eins', 'ein', 'eine', 'erste', 'erster', 'ersten', 'one', 'first'],
  ['zwei', 'zweite', 'zweiten', 'two', 'second'],
  ['drei', 'dritte', 'dritten', 'three', 'third'],
  ['vier', 'vierte', 'vierten', 'four', 'fourth'],
  ['fünf', 'fünfte', 'fünften', 'five', 'fifth'],
  ['sechs', 'sechste', 'sechsten', 'six', 'sixth'],
  ['sieben', 'siebte', 'siebten', 'seven', 'seventh'],
  ['acht', 'achte', 'achten', 'eight', 'eighth'],
  ['neun', 'neunte', 'neunten', 'nine', 'ninth'],
  ['zehn', 'zehnte', 'zehnten', 'ten', 'tenth'],
  ['elf', 'elfte', 'elften', 'eleven', 'eleventh'],
  ['zwölf', 'zwölfte', 'zwölften', 'twelve', 'twelfth'],
];

/** One specific of a question: a token with a digit, and the index terms that show it in an article. */
export interface QuestionSpecific {
  /** As the question wrote it ("2024", "u5", "15"). */
  readonly token: string;
  /** Its index term, and for 0–12 the terms of the number's words. */
  readonly terms: readonly string[];
}

/** The index terms of a number's words (0–12), through the analyzer; stop words ("ein") drop out. */
function numberWordTerms(analyzer: Analyzer, term: string): string[] {
  if (!/^\d+$/.test(term)) return [];
  const words = NUMBER_WORDS[Number(term)] ?? [];
  return words.map((word) => analyzer.term(word)).filter((found): found is string => found !== null);
}

/**
 * A question's specifics, and which articles hold them. A question that names a year, an amount
 * or a model number ("wer hat die em 2024 gewonnen", "iphone 15", "u5") asks about that year or
 * thing: an article that never mentions it (in its title, its text or its date line) does not
 * answer it, however well it matches the question's other words — it is about another year or
 * another event of the same name, the near miss no relevance score can tell from an answer. The
 * check is on the article, not the passage: the paragraph that answers often leaves the year to
 * the title or the lead.
 *
 * Only numbers count: a name or a rare word the article lacks is often the asker's own word for
 * what the article says ("jobben" for "arbeiten"), which a number cannot be.
 */
export class SpecificsCheck {
  readonly specifics: readonly QuestionSpecific[];
  /** Per specific, the ids of the articles whose passages hold one of its terms (in text or title), computed when first asked. */
  private readonly holders = new Map<QuestionSpecific, ReadonlySet<string>>();

  constructor(
    terms: readonly QueryTerm[],
    private readonly lexical: LexicalIndex,
    private readonly passages: readonly Passage[],
  ) {
    this.specifics = terms
      .filter((term) => /\d/.test(term.term))
      .map((term) => ({ token: term.token, terms: [term.term, ...numberWordTerms(lexical.analyzer, term.term)] }));
  }

  /** The question's specifics (as it wrote them) that the passage's article does not hold; empty when it holds them all. */
  missingIn(passage: Passage): string[] {
    return this.specifics.filter((specific) => !this.holds(specific, passage)).map((specific) => specific.token);
  }

  private holds(specific: QuestionSpecific, passage: Passage): boolean {
    if (passage.date !== null && specific.terms.some((term) => /^\d{4}$/.test(term) && passage.date!.startsWith(term))) return true;
    let articles = this.holders.get(specific);
    if (!articles) {
      const found = new Set<string>();
      for (const term of specific.terms) for (const label of this.lexical.passagesHolding(term)) found.add(this.passages[label]!.articleId);
      this.holders.set(specific, (articles = found));
    }
    return articles.has(passage.articleId);
  }
}
