import { describe, expect, it } from 'vitest';
import { languageOf, messagesFor } from '../../src/bot/messages.ts';

/** Every key path of a message table, with the kind of value found there. */
function shape(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [`${prefix}: ${typeof value}`];
  return Object.entries(value)
    .flatMap(([key, inner]) => shape(inner, prefix ? `${prefix}.${key}` : key))
    .sort();
}

describe('languageOf', () => {
  it('answers German clients in German', () => {
    expect(languageOf('de')).toBe('de');
    expect(languageOf('de-DE')).toBe('de');
    expect(languageOf('de-AT')).toBe('de');
    expect(languageOf('DE')).toBe('de');
  });

  it('answers everyone else in English', () => {
    expect(languageOf('en-US')).toBe('en');
    expect(languageOf('en-GB')).toBe('en');
    expect(languageOf('fr')).toBe('en');
    expect(languageOf('')).toBe('en');
    expect(languageOf(null)).toBe('en');
    expect(languageOf(undefined)).toBe('en');
  });
});

describe('messagesFor', () => {
  it('gives the German and the English table', () => {
    expect(messagesFor('de').answerTitle('x')).toBe('Frage: x');
    expect(messagesFor('en').answerTitle('x')).toBe('Question: x');
  });

  it('has exactly the same keys, deep, in both languages, with the same kinds of values', () => {
    const de = shape(messagesFor('de'));
    const en = shape(messagesFor('en'));
    expect(de.length).toBeGreaterThan(30);
    expect(en).toEqual(de);
  });

  it('takes the same arguments in both languages and mentions the numbers it is given', () => {
    const de = messagesFor('de') as unknown as Record<string, unknown>;
    const en = messagesFor('en') as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(de)) {
      if (typeof value !== 'function') continue;
      const other = en[key] as (...args: unknown[]) => string;
      expect(other.length, key).toBe(value.length);
      const args = Array.from({ length: value.length }, (_, i) => 9000 + i);
      for (const text of [(value as (...args: unknown[]) => string)(...args), other(...args)]) {
        for (const arg of args) expect(text, key).toContain(String(arg));
      }
    }
  });

  it('has no empty message', () => {
    for (const language of ['de', 'en'] as const) {
      const strings = shape(messagesFor(language)).filter((entry) => entry.endsWith(': string'));
      for (const entry of strings) {
        const path = entry.slice(0, entry.indexOf(':')).split('.');
        const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], messagesFor(language));
        expect((value as string).trim(), `${language} ${path.join('.')}`).not.toBe('');
      }
    }
  });
});
