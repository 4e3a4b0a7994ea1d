/**
 * Builds a standard BERT encoder as an ONNX graph, the way transformers.js loads
 * `Xenova/multilingual-e5-small`: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64,
 * [batch, sequence]), output `last_hidden_state` ([batch, sequence, hidden], float32).
 *
 * The graph and the weights are kept apart: the caller hands in a {@link BertWeights} provider
 * (the bundled e5 weights, or deterministic random ones for a benchmark or a test), and the
 * builder asks it for one tensor at a time, so a 12-layer model never needs two copies of every
 * tensor in memory.
 *
 * Two variants, as Xenova's exports ship them:
 * - `fp32`: every weight as float32 (`onnx/model.onnx`).
 * - `q8`: dynamic quantization as onnxruntime's `quantize_dynamic` writes it
 *   (`onnx/model_quantized.onnx`): each MatMul with a constant weight becomes
 *   DynamicQuantizeLinear (uint8 activations, one scale per tensor) → MatMulInteger (int8
 *   weights) → Cast → Mul by the two scales, a pattern onnxruntime fuses into its
 *   DynamicQuantizeMatMul kernel; the word-embedding table is int8 with one scale per row.
 *   Attention's activation × activation MatMuls, LayerNorms, biases and the position and
 *   token-type tables stay float32.
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;
const AttributeType = onnx.AttributeProto.AttributeType;

/** BERT hyper-parameters (the fields of a Hugging Face `config.json` the graph depends on). */
export interface BertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

/**
 * Supplies the weights by their names in Hugging Face's `BertModel` state dict
 * (`embeddings.word_embeddings.weight`, `encoder.layer.3.attention.self.query.bias`, …; see
 * {@link bertTensorShapes}), row-major in PyTorch's layout: a Linear weight is [out, in].
 */
export interface BertWeights {
  tensor(name: string): Float32Array;
}

/** How the q8 variant quantizes weights. */
export interface QuantizationOptions {
  /** One scale per output column of each MatMul weight (`channel`) or one per matrix (`tensor`). */
  readonly granularity: 'channel' | 'tensor';
  /**
   * 8 uses int8 weights in [-127, 127]; 7 keeps them in [-63, 63] (onnxruntime's `reduce_range`,
   * which Xenova's exports use): a uint8 × int8 product pair then cannot saturate the 16-bit
   * intermediate of AVX2 kernels without VNNI.
   */
  readonly weightBits: 7 | 8;
}

/** The quantization Xenova's exports use and the fidelity check kept (see the README). */
export const DEFAULT_QUANTIZATION: QuantizationOptions = { granularity: 'channel', weightBits: 7 };

export interface BuildBertOptions {
  readonly precision: 'fp32' | 'q8';
  readonly quantization?: QuantizationOptions;
  /** Recorded in the model's metadata. */
  readonly producer?: string;
  readonly docString?: string;
}

type Shape = readonly number[];

/** Every tensor a BERT encoder of this configuration has, with its PyTorch shape. */
export function bertTensorShapes(config: BertConfig): Map<string, Shape> {
  const H = config.hiddenSize;
  const F = config.intermediateSize;
  const shapes = new Map<string, Shape>([
    ['embeddings.word_embeddings.weight', [config.vocabSize, H]],
    ['embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, H]],
    ['embeddings.token_type_embeddings.weight', [config.typeVocabSize, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ]);
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    for (const part of ['query', 'key', 'value']) {
      shapes.set(`${p}.attention.self.${part}.weight`, [H, H]);
      shapes.set(`${p}.attention.self.${part}.bias`, [H]);
    }
    shapes.set(`${p}.attention.output.dense.weight`, [H, H]);
    shapes.set(`${p}.attention.output.dense.bias`, [H]);
    shapes.set(`${p}.attention.output.LayerNorm.weight`, [H]);
    shapes.set(`${p}.attention.output.LayerNorm.bias`, [H]);
    shapes.set(`${p}.intermediate.dense.weight`, [F, H]);
    shapes.set(`${p}.intermediate.dense.bias`, [F]);
    shapes.set(`${p}.output.dense.weight`, [H, F]);
    shapes.set(`${p}.output.dense.bias`, [H]);
    shapes.set(`${p}.output.LayerNorm.weight`, [H]);
    shapes.set(`${p}.output.LayerNorm.bias`, [H]);
  }
  return shapes;
}

/** Symmetric int8 quantization of a [rows, cols] matrix, one scale per row or one in all. */
export function quantizeRows(
  values: Float32Array,
  rows: number,
  cols: number,
  qmax: number,
  perRow: boolean,
): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(perRow ? rows : 1);
  const scaleOf = (from: number, to: number): number => {
    let max = 0;
    for (let i = from; i < to; i++) max = Math.max(max, Math.abs(values[i]!));
    // An all-zero row keeps scale 1 (any scale reproduces it) rather than dividing by zero.
    return max > 0 ? Math.fround(max / qmax) : 1;
  };
  if (!perRow) scales[0] = scaleOf(0, values.length);
  for (let r = 0; r < rows; r++) {
    const scale = perRow ? (scales[r] = scaleOf(r * cols, (r + 1) * cols)) : scales[0]!;
    for (let c = r * cols; c < (r + 1) * cols; c++) {
      q[c] = Math.max(-qmax, Math.min(qmax, Math.round(values[c]! / scale)));
    }
  }
  return { q, scales };
}

/** [rows, cols] → [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  }
  return out;
}

function bytesOf(array: Float32Array | Int8Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Accumulates nodes and initializers with unique names. */
class Graph {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private counter = 0;

  op(opType: string, inputs: string[], attributes: OnnxTypes.IAttributeProto[] = [], outputs = 1): string[] {
    const name = `${opType}_${this.counter++}`;
    const names = Array.from({ length: outputs }, (_, i) => `${name}_out${i}`);
    this.nodes.push({ name, opType, input: inputs, output: names, attribute: attributes });
    return names;
  }

  op1(opType: string, inputs: string[], attributes: OnnxTypes.IAttributeProto[] = []): string {
    return this.op(opType, inputs, attributes)[0]!;
  }

  init(name: string, dims: Shape, dataType: OnnxTypes.TensorProto.DataType, data: Uint8Array): string {
    this.initializers.push({ name, dims: [...dims], dataType, rawData: data });
    return name;
  }

  float(name: string, dims: Shape, values: Float32Array): string {
    return this.init(name, dims, DataType.FLOAT, bytesOf(values));
  }

  int64(name: string, values: number[]): string {
    return this.init(name, [values.length], DataType.INT64, bytesOf(BigInt64Array.from(values.map(BigInt))));
  }

  scalarFloat(name: string, value: number): string {
    return this.init(name, [], DataType.FLOAT, bytesOf(Float32Array.of(value)));
  }
}

const intAttr = (name: string, i: number): OnnxTypes.IAttributeProto => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): OnnxTypes.IAttributeProto => ({ name, type: AttributeType.INTS, ints });
const floatAttr = (name: string, f: number): OnnxTypes.IAttributeProto => ({ name, type: AttributeType.FLOAT, f });

/**
 * Encodes the BERT encoder described by `config` with the weights from `weights` as an ONNX model
 * (opset 17, for LayerNormalization).
 */
export function buildBertOnnx(config: BertConfig, weights: BertWeights, options: BuildBertOptions): Uint8Array {
  const shapes = bertTensorShapes(config);
  const q8 = options.precision === 'q8';
  const quantization = options.quantization ?? DEFAULT_QUANTIZATION;
  const qmax = quantization.weightBits === 7 ? 63 : 127;
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  if (H % heads !== 0) throw new Error(`hidden size ${H} is not a multiple of ${heads} attention heads`);
  const headSize = H / heads;
  const g = new Graph();

  const fetch = (name: string): Float32Array => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`BERT has no tensor ${name}`);
    const values = weights.tensor(name);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected) {
      throw new Error(`${name}: expected ${expected} values for shape [${shape.join(', ')}], got ${values.length}`);
    }
    return values;
  };
  const param = (name: string): string => g.float(name, shapes.get(name)!, fetch(name));

  // Shared constants.
  const one = g.scalarFloat('const_one', 1);
  const maskFill = g.scalarFloat('const_mask_fill', -3.4028234663852886e38); // torch.finfo(float32).min, as HF
  const invSqrtHead = g.scalarFloat('const_inv_sqrt_head', 1 / Math.sqrt(headSize));
  const half = g.scalarFloat('const_half', 0.5);
  const sqrt2 = g.scalarFloat('const_sqrt2', Math.SQRT2);
  const headsShape = g.int64('const_heads_shape', [0, 0, heads, headSize]);
  const mergedShape = g.int64('const_merged_shape', [0, 0, H]);
  const maskAxes = g.int64('const_mask_axes', [1, 2]);
  const lastAxis = g.int64('const_last_axis', [-1]);
  const zeroI64 = g.init('const_zero_i64', [], DataType.INT64, bytesOf(BigInt64Array.of(0n)));
  const oneI64 = g.init('const_one_i64', [], DataType.INT64, bytesOf(BigInt64Array.of(1n)));
  const oneIndex = g.init('const_index_one', [], DataType.INT64, bytesOf(BigInt64Array.of(1n)));

  const linear = (input: string, prefix: string): string => {
    const [out, inp] = shapes.get(`${prefix}.weight`) as [number, number];
    const weight = fetch(`${prefix}.weight`); // [out, in]; MatMul wants [in, out]
    const bias = param(`${prefix}.bias`);
    if (!q8) {
      const transposed = g.float(`${prefix}.weight.T`, [inp, out], transpose(weight, out, inp));
      return g.op1('Add', [g.op1('MatMul', [input, transposed]), bias]);
    }
    // Per output column: quantize the [out, in] layout by rows, then lay the int8 values out [in, out].
    const perChannel = quantization.granularity === 'channel';
    const { q, scales } = quantizeRows(weight, out, inp, qmax, perChannel);
    const qT = new Int8Array(q.length);
    for (let r = 0; r < out; r++) for (let c = 0; c < inp; c++) qT[c * out + r] = q[r * inp + c]!;
    const wq = g.init(`${prefix}.weight_quantized`, [inp, out], DataType.INT8, bytesOf(qT));
    const wScale = g.float(`${prefix}.weight_scale`, perChannel ? [out] : [], scales);
    const wZero = g.init(`${prefix}.weight_zero_point`, [], DataType.INT8, new Uint8Array(1));
    const [xq, xScale, xZero] = g.op('DynamicQuantizeLinear', [input], [], 3) as [string, string, string];
    const product = g.op1('MatMulInteger', [xq, wq, xZero, wZero]);
    const scale = g.op1('Mul', [xScale, wScale]);
    const dequantized = g.op1('Mul', [g.op1('Cast', [product], [intAttr('to', DataType.FLOAT)]), scale]);
    return g.op1('Add', [dequantized, bias]);
  };

  const layerNorm = (input: string, prefix: string): string =>
    g.op1('LayerNormalization', [input, param(`${prefix}.weight`), param(`${prefix}.bias`)], [
      intAttr('axis', -1),
      floatAttr('epsilon', config.layerNormEps),
    ]);

  // Embeddings: word + position (0 … sequence − 1, as BertModel counts them) + token type.
  let words: string;
  if (q8) {
    const name = 'embeddings.word_embeddings.weight';
    const { q, scales } = quantizeRows(fetch(name), config.vocabSize, H, 127, true);
    const table = g.init(`${name}_quantized`, [config.vocabSize, H], DataType.INT8, bytesOf(q));
    const rowScales = g.float(`${name}_scale`, [config.vocabSize], scales);
    const gathered = g.op1('Cast', [g.op1('Gather', [table, 'input_ids'], [intAttr('axis', 0)])], [
      intAttr('to', DataType.FLOAT),
    ]);
    const gatheredScales = g.op1('Unsqueeze', [g.op1('Gather', [rowScales, 'input_ids'], [intAttr('axis', 0)]), lastAxis]);
    words = g.op1('Mul', [gathered, gatheredScales]);
  } else {
    words = g.op1('Gather', [param('embeddings.word_embeddings.weight'), 'input_ids'], [intAttr('axis', 0)]);
  }
  const sequenceLength = g.op1('Gather', [g.op1('Shape', ['input_ids']), oneIndex], [intAttr('axis', 0)]);
  const positionIds = g.op1('Range', [zeroI64, sequenceLength, oneI64]);
  const positions = g.op1('Gather', [param('embeddings.position_embeddings.weight'), positionIds], [intAttr('axis', 0)]);
  const types = g.op1('Gather', [param('embeddings.token_type_embeddings.weight'), 'token_type_ids'], [
    intAttr('axis', 0),
  ]);
  let hidden = layerNorm(g.op1('Add', [g.op1('Add', [words, positions]), types]), 'embeddings.LayerNorm');

  // Additive attention mask [batch, 1, 1, sequence]: 0 where attended, float32 min where padded.
  const maskFloat = g.op1('Cast', ['attention_mask'], [intAttr('to', DataType.FLOAT)]);
  const additiveMask = g.op1('Unsqueeze', [g.op1('Mul', [g.op1('Sub', [one, maskFloat]), maskFill]), maskAxes]);

  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    const splitHeads = (x: string, perm: number[]): string =>
      g.op1('Transpose', [g.op1('Reshape', [x, headsShape])], [intsAttr('perm', perm)]);
    const query = splitHeads(linear(hidden, `${p}.attention.self.query`), [0, 2, 1, 3]); // [B, h, S, d]
    const keyT = splitHeads(linear(hidden, `${p}.attention.self.key`), [0, 2, 3, 1]); // [B, h, d, S]
    const value = splitHeads(linear(hidden, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = g.op1('Add', [g.op1('Mul', [g.op1('MatMul', [query, keyT]), invSqrtHead]), additiveMask]);
    const probabilities = g.op1('Softmax', [scores], [intAttr('axis', -1)]);
    const context = g.op1('Reshape', [
      g.op1('Transpose', [g.op1('MatMul', [probabilities, value])], [intsAttr('perm', [0, 2, 1, 3])]),
      mergedShape,
    ]);
    const attended = linear(context, `${p}.attention.output.dense`);
    hidden = layerNorm(g.op1('Add', [attended, hidden]), `${p}.attention.output.LayerNorm`);

    // GELU in its exact erf form, as BERT's "gelu": x · (1 + erf(x / √2)) · ½, in the node
    // order of a PyTorch export, which onnxruntime fuses into one Gelu kernel.
    const inner = linear(hidden, `${p}.intermediate.dense`);
    const erf = g.op1('Erf', [g.op1('Div', [inner, sqrt2])]);
    const gelu = g.op1('Mul', [g.op1('Mul', [inner, g.op1('Add', [erf, one])]), half]);
    const output = linear(gelu, `${p}.output.dense`);
    hidden = layerNorm(g.op1('Add', [output, hidden]), `${p}.output.LayerNorm`);
  }
  // Name the final tensor as the graph output.
  g.nodes.push({ name: 'output_identity', opType: 'Identity', input: [hidden], output: ['last_hidden_state'] });

  const tokenInput = (name: string): OnnxTypes.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: DataType.INT64,
        shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: options.producer ?? 'quelle-bert-onnx',
    producerVersion: '1',
    docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'bert_encoder',
      node: g.nodes,
      initializer: g.initializers,
      input: [tokenInput('input_ids'), tokenInput('attention_mask'), tokenInput('token_type_ids')],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: DataType.FLOAT,
              shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: H }] },
            },
          },
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
