import { describe, expect, it } from 'vitest';
import { looksLikeDateLine, parseDateLine } from '../../src/articles/parse-date.ts';

describe('parseDateLine', () => {
  it.each([
    ['05. September, 2025', '2025-09-05'],
    ['5. März 2025', '2025-03-05'],
    ['5. Maerz 2025', '2025-03-05'],
    ['September 5, 2025', '2025-09-05'],
    ['September 5th, 2025', '2025-09-05'],
    ['5 September 2025', '2025-09-05'],
    ['2025-09-05', '2025-09-05'],
    ['05.09.2025', '2025-09-05'],
    ['5.9.2025', '2025-09-05'],
    ['1. Januar 2024', '2024-01-01'],
    ['24. Dezember 2024', '2024-12-24'],
  ])('reads %j as %s', (line, iso) => {
    expect(parseDateLine(line)).toBe(iso);
  });

  it.each([
    ['5. Sept. 2025', '2025-09-05'],
    ['5. Sep 2025', '2025-09-05'],
    ['Sep. 5, 2025', '2025-09-05'],
    ['5. Okt. 2025', '2025-10-05'],
    ['Oct 5, 2025', '2025-10-05'],
    ['5. Dez. 2025', '2025-12-05'],
    ['Dec 5, 2025', '2025-12-05'],
    ['5. Jan. 2025', '2025-01-05'],
    ['5. Feb 2025', '2025-02-05'],
    ['5. Mär. 2025', '2025-03-05'],
    ['5. Aug. 2025', '2025-08-05'],
  ])('reads the abbreviated month in %j as %s', (line, iso) => {
    expect(parseDateLine(line)).toBe(iso);
  });

  it('ignores case, surrounding blanks and repeated spaces', () => {
    expect(parseDateLine('  05.   SEPTEMBER,   2025 \t')).toBe('2025-09-05');
    expect(parseDateLine('september 5, 2025')).toBe('2025-09-05');
  });

  it.each(['31. Februar 2025', '29. Februar 2025', '2025-02-30', '31.04.2025', '32.01.2025', '2025-13-01', '0. März 2025', '00.09.2025'])(
    'rejects the impossible date %j instead of rolling it over',
    (line) => {
      expect(parseDateLine(line)).toBeNull();
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(parseDateLine('29. Februar 2024')).toBe('2024-02-29');
    expect(parseDateLine('2024-02-29')).toBe('2024-02-29');
  });

  it.each([
    'Politik',
    'Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte',
    '5. Foo 2025',
    'September 2025',
    '5. September',
    '2025',
    '5. September 2025 in Berlin',
    'Am 5. September 2025',
    '2025/09/05',
    '',
  ])('does not take %j for a date', (line) => {
    expect(parseDateLine(line)).toBeNull();
  });
});

describe('looksLikeDateLine', () => {
  it.each(['31. Februar 2025', '2025-02-30', '31.04.2025', '05. September, 2025', 'September 5, 2025', '5. Sept. 2025'])(
    'recognises %j as a date line, valid or not',
    (line) => {
      expect(looksLikeDateLine(line)).toBe(true);
    },
  );

  it.each(['Politik', '3 Tore 2025', 'September 2025', 'Am 5. September 2025', 'Kurzer Titel'])('does not take %j for a date line', (line) => {
    expect(looksLikeDateLine(line)).toBe(false);
  });
});
