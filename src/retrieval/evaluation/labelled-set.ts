import { z } from 'zod';
import { ErrorCode, QuelleError } from '../../errors.ts';
import { evalSplitOf } from '../evaluate.ts';

/**
 * Labelled question sets for evaluation, one JSON object per line:
 * - answerable: `{"question", "article", "paragraph"}` — the gold paragraph (1-based) of an article (its file name without extension);
 * - unanswerable: `{"question", "unanswerable": true}` in the same file, or `{"question"}` in a file of its own (`--unanswerable`).
 * Either may carry `"lang": "de" | "en"` (the older `unanswerable.jsonl` says `"language"`), which `--lang` filters on.
 * Other keys are ignored. `npm run feedback -- export` writes both kinds into one file.
 */
export type EvalLanguage = 'de' | 'en';
export const EVAL_LANGUAGES: readonly EvalLanguage[] = ['de', 'en'];

export interface LabelledQuestion {
  readonly question: string;
  readonly article: string;
  readonly paragraph: number;
  readonly lang?: string;
}

export interface UnanswerableQuestion {
  readonly question: string;
  readonly lang?: string;
}

export interface EvalSet {
  readonly answerable: readonly LabelledQuestion[];
  readonly unanswerable: readonly UnanswerableQuestion[];
}

// Any language tag is accepted; --lang keeps the rows that carry its value.
const language = z.string().optional();
const answerableRow = z.object({ question: z.string().min(1), article: z.string().min(1), paragraph: z.number().int().positive(), lang: language, language });
const unanswerableRow = z.object({ question: z.string().min(1), lang: language, language });
const markedUnanswerableRow = unanswerableRow.extend({ unanswerable: z.literal(true) });

export const ANSWERABLE_SHAPE = '{"question": text, "article": text, "paragraph": number ≥ 1}';
const MIXED_SHAPE = `${ANSWERABLE_SHAPE} or {"question": text, "unanswerable": true}`;
const UNANSWERABLE_SHAPE = '{"question": text}';

/** A line of a question file that is not what it should be; the message names the file and line. */
export class EvalSetError extends QuelleError {
  constructor(message: string) {
    super(ErrorCode.InvalidInput, message);
    this.name = 'EvalSetError';
  }
}

const withLanguage = <T extends { question: string }>(row: { lang?: string | undefined; language?: string | undefined }, base: T): T & { lang?: string } => {
  const lang = row.lang ?? row.language;
  return lang ? { ...base, lang } : base;
};

/**
 * Parses a question file's text. `kind` is `questions` (answerable rows, and unanswerable ones
 * marked `"unanswerable": true`) or `unanswerable` (every row is an unanswerable question).
 */
export function parseEvalSet(text: string, source: string, kind: 'questions' | 'unanswerable'): EvalSet {
  const answerable: LabelledQuestion[] = [];
  const unanswerable: UnanswerableQuestion[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${source}:${index + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new EvalSetError(`${where} is not valid JSON.`);
    }
    if (kind === 'unanswerable') {
      const parsed = unanswerableRow.safeParse(row);
      if (!parsed.success) throw new EvalSetError(`${where} needs ${UNANSWERABLE_SHAPE}.`);
      unanswerable.push(withLanguage(parsed.data, { question: parsed.data.question }));
      return;
    }
    const marked = markedUnanswerableRow.safeParse(row);
    if (marked.success) {
      unanswerable.push(withLanguage(marked.data, { question: marked.data.question }));
      return;
    }
    const parsed = answerableRow.safeParse(row);
    if (!parsed.success) throw new EvalSetError(`${where} needs ${kind === 'questions' && hasMarker(row) ? MIXED_SHAPE : ANSWERABLE_SHAPE}.`);
    const { question, article, paragraph } = parsed.data;
    answerable.push(withLanguage(parsed.data, { question, article, paragraph }));
  });
  if (answerable.length === 0 && unanswerable.length === 0) throw new EvalSetError(`${source} holds no questions.`);
  return { answerable, unanswerable };
}

function hasMarker(row: unknown): boolean {
  return typeof row === 'object' && row !== null && 'unanswerable' in row;
}

export interface EvalFilter {
  /** `dev` or `test`: half of the set, split by article (answerable) and by question (unanswerable); `all` keeps everything. */
  readonly split: 'dev' | 'test' | 'all';
  /** Keeps only rows in this language; rows without one are left out. */
  readonly lang?: EvalLanguage | undefined;
}

/** The rows of a set that a split and a language keep. */
export function filterEvalSet(set: EvalSet, filter: EvalFilter): EvalSet {
  const inSplit = (key: string): boolean => filter.split === 'all' || evalSplitOf(key) === filter.split;
  const inLanguage = (row: { lang?: string }): boolean => filter.lang === undefined || row.lang === filter.lang;
  return {
    answerable: set.answerable.filter((row) => inSplit(row.article) && inLanguage(row)),
    unanswerable: set.unanswerable.filter((row) => inSplit(row.question) && inLanguage(row)),
  };
}

/** True when at least one row says its language: `--lang` on a set without any is a mistake worth naming. */
export function carriesLanguage(set: EvalSet): boolean {
  return [...set.answerable, ...set.unanswerable].some((row) => row.lang !== undefined);
}
