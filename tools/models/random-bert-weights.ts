/**
 * Deterministic random weights for a BERT encoder of any size, for models that exercise the
 * graph and its cost without real weights (the graph-builder test; a benchmark model). Each
 * tensor's values depend only on the seed and the tensor's name, so tensors can be asked for in
 * any order and the same configuration gives the same bytes on every machine.
 */
import { mulberry32 } from '../../test/helpers/prng.ts';
import { bertTensorShapes, type BertConfig, type BertWeights } from './bert-onnx.ts';

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Matrices and embeddings uniform in ±`scale`; LayerNorm weights 1 ± 0.25; biases ± 0.1. The
 * default scale is large enough that every layer visibly changes the output (with BERT's usual
 * 0.02 the LayerNorms would dominate and a wrong attention would go unnoticed).
 */
export function randomBertWeights(config: BertConfig, seed: number, scale = 0.25): BertWeights {
  const shapes = bertTensorShapes(config);
  return {
    tensor(name) {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`BERT has no tensor ${name}`);
      const next = mulberry32((fnv1a32(name) ^ seed) >>> 0);
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const uniform = (): number => next() / 2 ** 31 - 1; // [-1, 1)
      const isLayerNorm = name.includes('LayerNorm');
      for (let i = 0; i < values.length; i++) {
        if (isLayerNorm && name.endsWith('.weight')) values[i] = 1 + 0.25 * uniform();
        else if (name.endsWith('.bias')) values[i] = 0.1 * uniform();
        else values[i] = scale * uniform();
      }
      return values;
    },
  };
}
