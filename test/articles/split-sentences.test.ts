import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/articles/split-sentences.ts';

/** Text without any whitespace, to compare texts "modulo whitespace". */
const squeeze = (text: string): string => text.replace(/\s+/g, '');

describe('splitSentences', () => {
  it('splits at full stops, question marks and exclamation marks, trimming each sentence', () => {
    expect(splitSentences('  Der erste Satz.  Ist das der zweite? Ja, der dritte!   Und der vierte.  ')).toEqual([
      'Der erste Satz.',
      'Ist das der zweite?',
      'Ja, der dritte!',
      'Und der vierte.',
    ]);
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\t ')).toEqual([]);
  });

  it('keeps a closing quotation mark with its sentence', () => {
    expect(splitSentences('Er sagte: „Wir kommen.“ Dann ging er.')).toEqual(['Er sagte: „Wir kommen.“', 'Dann ging er.']);
  });

  it.each([
    ['Nr. 5', 'Er wohnt in Nr. 5 der Straße.'],
    ['Art. 5 Abs. 3', 'Gemäß Art. 5 Abs. 3 GG ist das so.'],
    ['ca. 300', 'Es kamen ca. 300 Leute.'],
    ['S. 12', 'Das steht auf S. 12 im Bericht.'],
    ['bzw. 4', 'Das kostet 3,50 Euro bzw. 4 Dollar.'],
    ['u. a.', 'Er sagte u. a., dass es regnet.'],
    ['z.B. (unspaced)', 'Das gilt z.B. für Kinder.'],
    ['usw. + lower case', 'Äpfel, Birnen usw. sind teurer geworden.'],
    ['Dr. med. + lower case', 'Sie ist Dr. med. und arbeitet in Köln.'],
    ['decimal number', 'Version 2.5 kam im Mai.'],
    ['thousands separator', 'Sie zahlten 1.000 Euro.'],
    ['initialism', 'Die U.S.A. und die EU verhandeln.'],
  ])('does not end a sentence at an abbreviation followed by a digit or lower-case word (%s)', (_label, sentence) => {
    expect(splitSentences(`${sentence} Dann ging er.`)).toEqual([sentence, 'Dann ging er.']);
  });

  it('keeps all non-space content, in order, for text full of abbreviations', () => {
    const text =
      'Das ist z. B. ein Test. Dr. Müller kam am 5. September. Prof. Dr. Schmidt wohnt in Nr. 5, i. d. R. montags. ' +
      'Die Meyer & Co. KG wächst! Warum... weil. „Gut.“ Er kam um 10 Uhr an. dann ging er.\nNeue Zeile ohne Punkt';
    expect(squeeze(splitSentences(text).join(''))).toBe(squeeze(text));
  });

  it('joins a sentence that starts in lower case to the previous one (a lower-case start is read as a false break)', () => {
    expect(splitSentences('Er kam um 10 Uhr an. dann ging er.')).toEqual(['Er kam um 10 Uhr an. dann ging er.']);
  });

  // ICU's German rules have no abbreviation list; the rule layer in split-sentences.ts supplies one.
  it.each([
    ['z. B. (spaced)', 'Das gilt z. B. für Kinder.'],
    ['Dr. before a name', 'Gestern sprach Dr. Müller im Bundestag.'],
    ['Prof. Dr. before a name', 'Prof. Dr. Schmidt sprach.'],
    ['Univ.-Prof. Dr. before a name', 'Univ.-Prof. Dr. Mayer sprach.'],
    ['Dr. med. before a name', 'Sie sprach mit Dr. med. Müller.'],
    ['Mag. before a name', 'Bürgermeister Mag. Huber eröffnete die Sitzung.'],
    ['St. Petersburg', 'St. Petersburg ist groß.'],
    ['ordinal day before a month', 'Er kam am 5. September nach Berlin.'],
    ['ordinal day before the Austrian month name', 'Die Sitzung ist am 12. Jänner.'],
    ['ordinal day before an abbreviated month', 'Am 5. Okt. 2020 kam er.'],
    ['date at the start of a text', '5. September 2025 war ein Freitag.'],
    ['ordinal before a noun', 'Der 2. Weltkrieg endete 1945.'],
    ['ordinal after a contracted preposition', 'Er gewann zum 3. Mal.'],
    ['ordinal after a possessive', 'Sie feierte ihren 80. Geburtstag.'],
    ['i. d. R.', 'Das Treffen fand i. d. R. montags statt.'],
    ['u. a. before a name', 'Es sprachen u. a. Merkel und Scholz.'],
    ['initial', 'Der Angeklagte Thomas S. bestritt die Tat.'],
    ['Co. KG', 'Die Meyer & Co. KG wächst.'],
    ['sog. before a noun', 'Die sog. Ampel zerbrach.'],
    ['Mio. before a unit', 'Die Sanierung kostet 5 Mio. Euro.'],
  ])('does not end a sentence at an abbreviation or ordinal followed by a capitalised word (%s)', (_label, sentence) => {
    expect(splitSentences(`${sentence} Dann ging er.`)).toEqual([sentence, 'Dann ging er.']);
  });

  it.each([
    ['a year', 'Das war 2019.', 'Dann kam Corona.'],
    ['a year after a preposition', 'Sie wohnt hier seit 2019.', 'Davor lebte sie in Graz.'],
    ['a house number', 'Er wohnt in der Str. 5.', 'Dann zog er um.'],
    ['a number that is no ordinal', 'Er belegte Platz 3.', 'Dann war Schluss.'],
    ['a time of day', 'Er kam um 10 Uhr an.', 'Dann ging er.'],
    ['an abbreviation that often ends a sentence', 'Es gab Äpfel, Birnen usw.', 'Alles war teuer.'],
    ['a quotation', 'Er sagte: „Wir kommen.“', 'Dann ging er.'],
  ])('still ends a sentence after %s', (_label, first, second) => {
    expect(splitSentences(`${first} ${second}`)).toEqual([first, second]);
  });

  it('keeps the text of a rejoined sentence as it was, line breaks included', () => {
    expect(splitSentences('Es sprach Dr.\nMüller. Dann ging er.')).toEqual(['Es sprach Dr.\nMüller.', 'Dann ging er.']);
  });

  it('splits long text (walked window by window) exactly like short text, sentences longer than a window included', () => {
    const sentences = [
      'Gestern sprach Dr. Müller am 5. September z. B. über die sog. Ampel.',
      'Das war 2019.',
      `Ein Satz mit ${'sehr '.repeat(2_000)}vielen Wörtern.`,
      'Er sagte: „Wir kommen.“',
      'Der 2. Weltkrieg endete 1945.',
      'Warum?',
      'Es kamen ca. 300 Leute, i. d. R. montags!',
    ];
    const many = Array.from({ length: 300 }, (_, i) => sentences[i % sentences.length]!);
    expect(splitSentences(many.join(' '))).toEqual(many);
  });

  it('stays fast on megabytes of text, with many sentences or with many false boundaries', () => {
    // Walking a whole text with V8's segment iterator is quadratic: this took minutes.
    for (const [text, count] of [
      ['Das ist ein ganz normaler Satz. '.repeat(40_000), 40_000],
      ['Es sprach Dr. Müller am 5. September z. B. über die sog. Ampel '.repeat(20_000), 1],
    ] as const) {
      const started = performance.now();
      expect(splitSentences(text)).toHaveLength(count);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});
