import { describe, expect, it } from 'vitest';
import { buildPrecompiledCharsmap, lookupPrecompiledCharsmap } from '../../tools/models/precompiled-charsmap.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('precompiled charsmap (SentencePiece double-array trie)', () => {
  // Shapes from XLM-R's table: one byte → one, multi-byte → ASCII, one → several, removal, and
  // keys sharing their first bytes (U+2000…U+200B all start E2 80).
  const table = new Map<string, string>([
    ['\u00a0', ' '],
    ['\u2026', '...'],
    ['\u0001', ''],
    ['\uff21', 'A'],
    ['\u2000', ' '],
    ['\u2001', ' '],
    ['\u200b', ' '],
    ['\u00bd', '1\u20442'],
    ['\u{1d400}', 'A'],
  ]);
  const charsmap = buildPrecompiledCharsmap(table);

  it('maps every source string to its replacement', () => {
    for (const [source, replacement] of table) {
      expect(lookupPrecompiledCharsmap(charsmap, encode(source)), JSON.stringify(source)).toEqual({
        length: encode(source).length,
        replacement,
      });
    }
  });

  it('finds nothing for characters outside the table, including ones sharing a key prefix', () => {
    for (const other of ['a', 'ä', '\u2002', '\u20ac', '\u{1d401}', '\u00a1']) {
      expect(lookupPrecompiledCharsmap(charsmap, encode(other)), JSON.stringify(other)).toBeNull();
    }
  });

  it('matches only the first character of a longer text', () => {
    expect(lookupPrecompiledCharsmap(charsmap, encode('\u2026 und so'))).toEqual({ length: 3, replacement: '...' });
  });

  it('starts with the trie length, then the units, then NUL-terminated strings', () => {
    const trieBytes = new DataView(charsmap.buffer).getUint32(0, true);
    expect(trieBytes % 4).toBe(0);
    const strings = new TextDecoder().decode(charsmap.subarray(4 + trieBytes)).split('\0');
    expect(strings.at(-1)).toBe('');
    expect(new Set(strings.slice(0, -1))).toEqual(new Set(table.values()));
  });
});
