/**
 * Sentence boundaries: ICU's segmenter (built into Node) proposes them, and a small German rule
 * layer takes back the ones that are not sentence ends. ICU's German rules have no abbreviation
 * list: they break after any full stop followed by a space and a capital letter (and, oddly,
 * before a digit or lower-case word after "Nr." or "Abs."), so "z. B.", "Dr. Müller",
 * "am 5. September" and "Der 2. Weltkrieg" would all end a sentence.
 *
 * The rules, each looking only at the word or two around a proposed boundary:
 * 1. a boundary followed by a lower-case word or a digit is false ("Nr. 5", "usw. sind");
 * 2. a boundary after an abbreviation that (almost) never ends a sentence is false
 *    ("Dr.", "Prof.", "St.", "Co.", "sog.", "Mio.": see ABBREVIATIONS);
 * 3. a boundary after a single letter with a full stop is false: abbreviation chains
 *    ("z. B.", "i. d. R.", "u. a.") and initials ("John F. Kennedy", "Thomas S.");
 * 4. a boundary after a day number and before a month is false ("am 5. September");
 * 5. a boundary after an ordinal that follows an article, a contracted preposition or a
 *    possessive is false ("Der 2. Weltkrieg", "zum 3. Mal", "ihren 80. Geburtstag").
 * Everything else ICU proposes stands, so a number ending a sentence still ends it
 * ("Das war 2019. Dann kam Corona.", "Er belegte Platz 3. Dann …").
 *
 * Where a rule is wrong it merges two sentences rather than cutting one ("Plan B. Dann …",
 * "am 5. Dann …" stay together): a merged pair still reads well in an excerpt or a passage,
 * while a sentence cut at "z. B." does not.
 */
const segmenter = new Intl.Segmenter('de', { granularity: 'sentence' });

/**
 * Abbreviations that stand before a name or a capitalised noun and hardly ever end a sentence
 * (case-sensitive). Ones that often do end a sentence ("usw.", "etc.", "Jh.") are left out.
 * "Mio." and "Mrd." can end one ("… kostete 5 Mio."), but "5 Mio. Euro" is far more common.
 */
const ABBREVIATIONS = [
  // Titles and forms of address (German and Austrian), and parts of doctoral titles.
  'Abg', 'Bgm', 'Dipl', 'Dr', 'Fr', 'Hr', 'Hrn', 'Ing', 'Mag', 'Prof', 'dent', 'habil', 'jur', 'med', 'nat', 'phil', 'rer', 'vet',
  // Parts of names: Sankt, Heilige(r), "& Co. KG", "geb. Müller".
  'St', 'Hl', 'Co', 'geb',
  // Words that qualify what follows.
  'bzgl', 'bzw', 'ca', 'evtl', 'exkl', 'gem', 'ggf', 'inkl', 'lt', 'sog', 'vgl', 'zzgl',
  // Amounts before a unit ("5 Mio. Euro").
  'Mio', 'Mrd', 'Tsd',
];

/** No letter or digit before: the abbreviation or number is a whole word ("Co." but not "Disco."). */
const WORD_START = '(?<![\\p{L}\\p{N}])';
const ABBREVIATION = new RegExp(`${WORD_START}(?:${ABBREVIATIONS.join('|')})\\.$`, 'u');
const SINGLE_LETTER = new RegExp(`${WORD_START}\\p{L}\\.$`, 'u');
const DAY = new RegExp(`${WORD_START}\\d{1,2}\\.$`, 'u');
const MONTH = /^(?:Januar|Jänner|Februar|Feber|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|(?:Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sept?|Okt|Nov|Dez)\.)(?![\p{L}\p{N}])/u;
// At most three digits: a year after "seit" or "im Jahr" ("seit 2019.") is a sentence end.
const ORDINAL = new RegExp(
  `${WORD_START}(?:der|die|das|den|dem|des|am|im|vom|zum|zur|beim|ins|jede[mnrs]?|(?:mein|sein|ihr|unser)(?:e|em|en|er|es)?)\\s+\\d{1,3}\\.$`,
  'iu',
);
const LOWER_CASE_OR_DIGIT = /^[\p{Ll}\d]/u;

/**
 * Whether ICU's boundary between `before` and `after` (the trimmed neighbouring segments) is
 * false. Only the ends facing the boundary are looked at, so that a huge segment (a run-on
 * paragraph of megabytes) costs no more than a short one.
 */
function continuesSentence(before: string, after: string): boolean {
  const end = before.slice(-64);
  return (
    LOWER_CASE_OR_DIGIT.test(after) ||
    ABBREVIATION.test(end) ||
    SINGLE_LETTER.test(end) ||
    ORDINAL.test(end) ||
    (DAY.test(end) && MONTH.test(after.slice(0, 16)))
  );
}

/**
 * How much text ICU segments at a time. V8's segment iterator gets slower with the length of
 * the text it walks (every step costs time in proportion to it: 700 KB of short sentences took
 * 13 s, a 5 MiB paragraph would take many minutes), so long text is walked window by window.
 */
const WINDOW = 4096;

/**
 * ICU's segments of `text`, with their offsets in it, found window by window. The last two
 * segments of a window are not taken but segmented again at the start of the next one: the
 * last may be cut by the window's end, and ICU looks past a boundary (over spaces and digits,
 * for a lower-case word) before deciding on it. A sentence longer than a window gets a
 * window twice as large, read only as far as needed to get past it.
 */
function* segments(text: string): Generator<{ segment: string; index: number }> {
  let from = 0;
  let size = WINDOW;
  while (from < text.length) {
    const end = Math.min(text.length, from + size);
    const held: Intl.SegmentData[] = [];
    let taken = false;
    let stopped = false;
    for (const data of segmenter.segment(text.slice(from, end))) {
      held.push(data);
      if (held.length > 2) {
        const { segment, index } = held.shift()!;
        yield { segment, index: from + index };
        taken = true;
      }
      // Only an enlarged window gets here: stop once its long sentence has been taken.
      if (taken && data.index >= WINDOW) {
        stopped = true;
        break;
      }
    }
    if (!stopped && end === text.length) {
      for (const { segment, index } of held) yield { segment, index: from + index };
      return;
    }
    if (taken) {
      from += held[0]!.index;
      size = WINDOW;
    } else {
      size *= 2;
    }
  }
}

/**
 * The sentences of a text, each trimmed; each is a slice of the text, so their concatenation
 * keeps all non-space content in order.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  // The sentence being built, as a range of `text`, and the last segment added to it.
  let start = -1;
  let end = 0;
  let last = '';
  for (const { segment, index } of segments(text)) {
    const content = segment.trim();
    if (content === '') continue;
    if (start < 0 || !continuesSentence(last.trimEnd(), content)) {
      if (start >= 0) sentences.push(text.slice(start, end).trim());
      start = index;
    }
    end = index + segment.length;
    last = segment;
  }
  if (start >= 0) sentences.push(text.slice(start, end).trim());
  return sentences;
}
