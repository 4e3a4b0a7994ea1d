/**
 * SentencePiece's `precompiled_charsmap`, the table behind a tokenizer.json `Precompiled`
 * normaliser: a darts-clone double-array trie from UTF-8 source strings to offsets in a blob of
 * NUL-terminated replacement strings, stored as
 * `u32 trie byte length | trie units (u32 each) | replacement strings`, base64 in the JSON.
 *
 * transformers.js approximates this normaliser (NFKC plus SentencePiece's whitespace and control
 * character rules) rather than reading the table; the Rust and Python `tokenizers` read it. Writing
 * the real table keeps the tokenizer.json what those libraries expect.
 *
 * Unit layout (darts-clone): bits 0–7 label, bit 8 "has a leaf" (the child with label 0 holds the
 * value), bit 9 "offset scaled by 256", bits 10–30 offset, bit 31 marks a value unit (value in
 * bits 0–30). A child of the node at `p` with label `c` sits at `p ^ offset ^ c`.
 */

interface TrieNode {
  children: Map<number, TrieNode>;
  value: number | null;
}

const VALUE_FLAG = 0x80000000;
const HAS_LEAF = 1 << 8;

function encodeOffset(offset: number): number {
  if (offset < 1 << 21) return offset << 10;
  if (offset % 256 === 0 && offset >> 8 < 1 << 21) return ((offset >> 8) << 10) | (1 << 9);
  throw new Error(`double-array offset ${offset} cannot be encoded`);
}

function decodeOffset(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

/** Builds the charsmap bytes for a table of source string → replacement string. */
export function buildPrecompiledCharsmap(table: ReadonlyMap<string, string>): Uint8Array {
  const encoder = new TextEncoder();
  // Replacement strings, each once.
  const stringOffsets = new Map<string, number>();
  const strings: number[] = [];
  const root: TrieNode = { children: new Map(), value: null };
  for (const [source, replacement] of [...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let offset = stringOffsets.get(replacement);
    if (offset === undefined) {
      offset = strings.length;
      stringOffsets.set(replacement, offset);
      strings.push(...encoder.encode(replacement), 0);
    }
    let node = root;
    for (const byte of encoder.encode(source)) {
      let child = node.children.get(byte);
      if (!child) node.children.set(byte, (child = { children: new Map(), value: null }));
      node = child;
    }
    node.value = offset;
  }

  const units: number[] = [0];
  const used: boolean[] = [true]; // slot 0 is the root
  const usedBases = new Set<number>();
  let searchFrom = 1;
  const free = (slot: number): boolean => !used[slot];

  // Breadth-first: place each node's children (label 0 for its value) at base ^ label.
  const queue: Array<[TrieNode, number]> = [[root, 0]];
  for (let next = 0; next < queue.length; next++) {
    const [node, position] = queue[next]!;
    const labels = [...node.children.keys()].sort((a, b) => a - b);
    if (node.value !== null) labels.unshift(0);
    if (labels.length === 0) continue;
    let base = searchFrom;
    while (usedBases.has(base) || !labels.every((label) => free(base ^ label)) || (base ^ position) === 0) base++;
    usedBases.add(base);
    while (used[searchFrom]) searchFrom++;
    const offset = base ^ position;
    units[position] = (units[position] ?? 0) | encodeOffset(offset) | (node.value !== null ? HAS_LEAF : 0);
    for (const label of labels) {
      const slot = base ^ label;
      used[slot] = true;
      while (units.length <= slot) units.push(0);
      if (label === 0 && node.value !== null) {
        units[slot] = (VALUE_FLAG | node.value) >>> 0;
      } else {
        units[slot] = label;
        queue.push([node.children.get(label)!, slot]);
      }
    }
  }
  // Make sure every slot a lookup can reach from any node exists.
  const maxReach = units.reduce((max, unit, i) => (unit & VALUE_FLAG ? max : Math.max(max, (i ^ decodeOffset(unit)) | 0xff)), 0);
  while (units.length <= maxReach) units.push(0);

  const trieBytes = units.length * 4;
  const out = new Uint8Array(4 + trieBytes + strings.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, trieBytes, true);
  units.forEach((unit, i) => view.setUint32(4 + i * 4, unit >>> 0, true));
  out.set(strings, 4 + trieBytes);
  return out;
}

/**
 * Looks up the longest source string at the start of `bytes` in a charsmap, as SentencePiece's
 * normaliser does: its byte length and replacement, or null.
 */
export function lookupPrecompiledCharsmap(
  charsmap: Uint8Array,
  bytes: Uint8Array,
): { length: number; replacement: string } | null {
  const view = new DataView(charsmap.buffer, charsmap.byteOffset, charsmap.byteLength);
  const trieBytes = view.getUint32(0, true);
  const unitAt = (i: number): number => (i * 4 + 4 < 4 + trieBytes ? view.getUint32(4 + i * 4, true) : 0);
  let position = decodeOffset(unitAt(0));
  let best: { length: number; value: number } | null = null;
  for (let i = 0; i < bytes.length; i++) {
    const label = bytes[i]!;
    position ^= label;
    const unit = unitAt(position);
    if ((unit & (VALUE_FLAG | 0xff)) >>> 0 !== label) break;
    position ^= decodeOffset(unit);
    if (unit & HAS_LEAF) best = { length: i + 1, value: unitAt(position) & 0x7fffffff };
  }
  if (!best) return null;
  const stringsStart = 4 + trieBytes;
  let end = stringsStart + best.value;
  while (charsmap[end] !== 0) end++;
  return { length: best.length, replacement: new TextDecoder().decode(charsmap.subarray(stringsStart + best.value, end)) };
}
