import { stopwords as germanStopwords } from '@orama/stopwords/german';
import { stopwords as englishStopwords } from '@orama/stopwords/english';

/** The languages Quelle tells apart in questions (and answers in). */
export type QuestionLanguage = 'de' | 'en';

/**
 * The language of a question, from its function words: a mention carries no user locale, and a
 * German question in an English-speaking server (or the reverse) should be answered in its own
 * language. Snowball's stop-word lists (the ones the lexical index uses) name the function words;
 * words both languages share ("in", "was", "so", "am") count for neither, and German question
 * words and umlauts or ß count for German. The names and nouns a question is about say nothing,
 * so "Where did the Koalition der Willigen meet?" is English.
 */
const QUESTION_WORDS = {
  de: ['wer', 'wen', 'wem', 'wessen', 'wann', 'warum', 'wieso', 'weshalb', 'woher', 'wohin', 'womit', 'wofür', 'worauf', 'wodurch', 'wovon', 'worum', 'wozu', 'welche', 'wurde', 'wurden'],
  en: ['who', 'whom', 'whose', 'what', 'when', 'where', 'why', 'which', 'how', 'did', 'does', 'do'],
};

const GERMAN = new Set([...germanStopwords, ...QUESTION_WORDS.de]);
const ENGLISH = new Set([...englishStopwords, ...QUESTION_WORDS.en]);
const WORD = /\p{L}+/gu;
const UMLAUT = /[äöüß]/;

/**
 * `de` or `en` when the question's own words clearly say so, otherwise null (the caller falls back
 * to the server's locale): at least two pieces of evidence, and at least twice the other side's.
 */
export function questionLanguage(text: string): QuestionLanguage | null {
  let de = 0;
  let en = 0;
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    const german = GERMAN.has(word);
    const english = ENGLISH.has(word);
    if (german && !english) de++;
    else if (english && !german) en++;
    else if (!german && !english && UMLAUT.test(word)) de++;
  }
  if (de > 0 && de >= 2 * en) return 'de';
  if (en > 0 && en >= 2 * de) return 'en';
  return null;
}
