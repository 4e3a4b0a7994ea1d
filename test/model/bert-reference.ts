/**
 * A plain TypeScript BERT forward pass (float64 arithmetic, one text, no padding), written from
 * the model's definition rather than from the ONNX graph: the yardstick for the graph builder.
 * Mean pooling and L2 normalisation as the product's embedder does them.
 */
import type { BertConfig, BertWeights } from '../../tools/models/bert-onnx.ts';

type Matrix = Float64Array[];

function linear(x: Matrix, weights: BertWeights, prefix: string, inputs: number, outputs: number): Matrix {
  const w = weights.tensor(`${prefix}.weight`); // [out, in]
  const b = weights.tensor(`${prefix}.bias`);
  return x.map((row) => {
    const out = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = b[o]!;
      for (let i = 0; i < inputs; i++) sum += row[i]! * w[o * inputs + i]!;
      out[o] = sum;
    }
    return out;
  });
}

function layerNorm(x: Matrix, weights: BertWeights, prefix: string, eps: number): Matrix {
  const gamma = weights.tensor(`${prefix}.weight`);
  const beta = weights.tensor(`${prefix}.bias`);
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    const inv = 1 / Math.sqrt(variance + eps);
    return row.map((v, i) => (v - mean) * inv * gamma[i]! + beta[i]!);
  });
}

/** erf by Abramowitz–Stegun 7.1.26 (absolute error below 1.5e-7, far under the test's tolerance). */
function erf(x: number): number {
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return Math.sign(x) * y;
}

const add = (a: Matrix, b: Matrix): Matrix => a.map((row, t) => row.map((v, i) => v + b[t]![i]!));

/** The encoder's last hidden state for one sequence of token ids. */
export function bertForward(config: BertConfig, weights: BertWeights, ids: readonly number[]): Matrix {
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const d = H / heads;
  const word = weights.tensor('embeddings.word_embeddings.weight');
  const position = weights.tensor('embeddings.position_embeddings.weight');
  const type = weights.tensor('embeddings.token_type_embeddings.weight');
  let x: Matrix = ids.map((id, t) => {
    const row = new Float64Array(H);
    for (let i = 0; i < H; i++) row[i] = word[id * H + i]! + position[t * H + i]! + type[i]!;
    return row;
  });
  x = layerNorm(x, weights, 'embeddings.LayerNorm', config.layerNormEps);
  for (let l = 0; l < config.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    const q = linear(x, weights, `${p}.attention.self.query`, H, H);
    const k = linear(x, weights, `${p}.attention.self.key`, H, H);
    const v = linear(x, weights, `${p}.attention.self.value`, H, H);
    const context: Matrix = x.map(() => new Float64Array(H));
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < x.length; t++) {
        const scores = x.map((_, s) => {
          let sum = 0;
          for (let e = 0; e < d; e++) sum += q[t]![h * d + e]! * k[s]![h * d + e]!;
          return sum / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, s) => {
          for (let i = 0; i < d; i++) context[t]![h * d + i]! += (e / total) * v[s]![h * d + i]!;
        });
      }
    }
    x = layerNorm(add(linear(context, weights, `${p}.attention.output.dense`, H, H), x), weights, `${p}.attention.output.LayerNorm`, config.layerNormEps);
    const inner = linear(x, weights, `${p}.intermediate.dense`, H, config.intermediateSize).map((row) =>
      row.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))),
    );
    x = layerNorm(add(linear(inner, weights, `${p}.output.dense`, config.intermediateSize, H), x), weights, `${p}.output.LayerNorm`, config.layerNormEps);
  }
  return x;
}

/** Mean over tokens, then L2 normalisation. */
export function meanPoolNormalize(hidden: Matrix): Float64Array {
  const mean = new Float64Array(hidden[0]!.length);
  for (const row of hidden) row.forEach((v, i) => (mean[i]! += v / hidden.length));
  const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0));
  return mean.map((v) => v / norm);
}
