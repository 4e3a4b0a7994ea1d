/**
 * Writes an XLM-RoBERTa-style SentencePiece Unigram tokenizer as the Hugging Face files
 * transformers.js loads (`tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json`),
 * shaped as `transformers` converts XLM-R's sentencepiece model: a `Precompiled` normaliser
 * followed by collapsing runs of spaces, a Metaspace (`▁`) pre-tokenizer that prepends one,
 * a `<s> $A </s>` post-processor, a Metaspace decoder, and the Unigram model with every piece's
 * log-probability.
 */
import { buildPrecompiledCharsmap } from './precompiled-charsmap.ts';

export interface UnigramSpecialTokens {
  readonly bos: string;
  readonly pad: string;
  readonly eos: string;
  readonly unk: string;
  readonly mask?: string;
}

export interface UnigramTokenizerSpec {
  /** Pieces in id order with their scores (log-probabilities); special tokens included. */
  readonly pieces: ReadonlyArray<readonly [string, number]>;
  readonly special: UnigramSpecialTokens;
  /** Code point → replacement, the normaliser's table (empty: no character is changed). */
  readonly normalization: ReadonlyMap<number, readonly number[]>;
  readonly modelMaxLength: number;
}

const METASPACE = '\u2581';

/** The three files, as [name, text]. */
export function unigramTokenizerFiles(spec: UnigramTokenizerSpec): Array<[string, string]> {
  const ids = new Map<string, number>();
  spec.pieces.forEach(([piece], id) => {
    if (!ids.has(piece)) ids.set(piece, id);
  });
  const idOf = (token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`special token ${token} is not in the vocabulary`);
    return id;
  };
  const { bos, pad, eos, unk, mask } = spec.special;
  const specials = [bos, pad, eos, unk, ...(mask ? [mask] : [])];
  const charsmap = buildPrecompiledCharsmap(
    new Map([...spec.normalization].map(([cp, out]) => [String.fromCodePoint(cp), String.fromCodePoint(...out)])),
  );
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const metaspace = { type: 'Metaspace', replacement: METASPACE, prepend_scheme: 'always', split: true };

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({
      id: idOf(content),
      content,
      single_word: false,
      // XLM-R's <mask> swallows the space before it, as in the original.
      lstrip: content === mask,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Precompiled', precompiled_charsmap: Buffer.from(charsmap).toString('base64') },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(bos), { Sequence: { id: 'A', type_id: 0 } }, special(eos)],
      pair: [
        special(bos),
        { Sequence: { id: 'A', type_id: 0 } },
        special(eos),
        special(eos),
        { Sequence: { id: 'B', type_id: 0 } },
        special(eos),
      ],
      special_tokens: Object.fromEntries(
        [bos, eos].map((token) => [token, { id: token, ids: [idOf(token)], tokens: [token] }]),
      ),
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: idOf(unk), vocab: '__VOCAB__', byte_fallback: false },
  };
  // One piece a line keeps the 250k-entry file readable and diffable.
  const vocab = `[\n${spec.pieces.map(([piece, score]) => `      [${JSON.stringify(piece)}, ${score}]`).join(',\n')}\n    ]`;
  const tokenizerJson = JSON.stringify(tokenizer, null, 2).replace('"__VOCAB__"', vocab) + '\n';

  const tokens = {
    bos_token: bos,
    cls_token: bos,
    eos_token: eos,
    ...(mask ? { mask_token: mask } : {}),
    pad_token: pad,
    sep_token: eos,
    unk_token: unk,
  };
  const tokenizerConfig = {
    ...tokens,
    clean_up_tokenization_spaces: true,
    model_max_length: spec.modelMaxLength,
    tokenizer_class: 'XLMRobertaTokenizer',
  };
  return [
    ['tokenizer.json', tokenizerJson],
    ['tokenizer_config.json', JSON.stringify(tokenizerConfig, null, 2) + '\n'],
    ['special_tokens_map.json', JSON.stringify(tokens, null, 2) + '\n'],
  ];
}
