/**
 * Sentence boundaries from ICU's segmenter (built into Node), which knows common German and
 * English abbreviations better than a hand-written regular expression.
 */
const segmenter = new Intl.Segmenter('de', { granularity: 'sentence' });

/** The sentences of a text, each trimmed; their concatenation keeps all non-space content. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    const sentence = segment.trim();
    if (sentence === '') continue;
    // ICU breaks after "Nr." or "Abs." before a digit or lower-case word; rejoin those.
    const previous = sentences.at(-1);
    if (previous !== undefined && /^[\p{Ll}\d]/u.test(sentence)) sentences[sentences.length - 1] = `${previous} ${sentence}`;
    else sentences.push(sentence);
  }
  return sentences;
}
