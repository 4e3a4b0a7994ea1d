/**
 * Memory for a Unigram (sentencepiece) tokenizer of a large vocabulary, as multilingual e5's
 * 250k-piece XLM-R tokenizer: transformers.js keeps its pieces in a character trie of one object
 * and one Map per node (about 490,000 of each, 118 MB of heap measured with the e5-shaped model's
 * tokenizer, and the real model's is the same size), and keeps the tokenizer.json's
 * [piece, score] pairs after it has copied them (22 MB). The inference worker holds that for as
 * long as the bot runs, and it was the largest item of the bot's memory after the model itself.
 *
 * {@link compactUnigramVocabulary} replaces the trie with {@link SortedVocabulary}: the same
 * pieces as one sorted array (2 MB), searched by narrowing a range per character. The tokens are
 * the same (test/embedding/compact-tokenizer.test.ts compares them with the library's own trie);
 * tokenizing a 250-character passage takes about 0.3 ms longer, against 13–26 ms to embed it.
 */

/** What transformers.js's Unigram model keeps, as far as this module touches it. */
interface UnigramModel {
  trie: { common_prefix_search(chars: string[], start?: number): Iterable<string> };
  readonly vocab: string[];
  readonly tokens_to_ids: Map<string, number>;
  config?: { vocab?: unknown };
}

/**
 * The pieces of a vocabulary, sorted, answering the one question the Unigram model asks its trie:
 * which pieces are prefixes of the text at a position.
 */
export class SortedVocabulary {
  private readonly sorted: string[];
  /** Where the pieces starting with a character begin in `sorted` (they are contiguous). */
  private readonly firstOf = new Map<string, number>();

  constructor(pieces: Iterable<string>) {
    // The default sort orders by UTF-16 code units, as `<` compares: the binary searches rely on it.
    this.sorted = [...new Set(pieces)].filter((piece) => piece !== '').sort();
    this.sorted.forEach((piece, i) => {
      const first = String.fromCodePoint(piece.codePointAt(0)!);
      if (!this.firstOf.has(first)) this.firstOf.set(first, i);
    });
  }

  /**
   * The pieces that `chars` (one character per element, as transformers.js splits a text) starts
   * with at `start`, shortest first: what the library's CharTrie yields.
   */
  common_prefix_search(chars: string[], start = 0): string[] {
    const found: string[] = [];
    const sorted = this.sorted;
    const first = start < chars.length ? this.firstOf.get(chars[start]!) : undefined;
    if (first === undefined) return found;
    let low = first;
    // [low, high): the pieces that start with `prefix`.
    let high = sorted.length;
    let prefix = '';
    for (let i = start; i < chars.length; i++) {
      prefix += chars[i];
      let a = low;
      let b = high;
      while (a < b) {
        const middle = (a + b) >>> 1;
        if (sorted[middle]! < prefix) a = middle + 1;
        else b = middle;
      }
      low = a;
      if (low >= high || !sorted[low]!.startsWith(prefix)) break;
      // The piece equal to the prefix, if any, sorts first among those that start with it.
      if (sorted[low] === prefix) found.push(prefix);
      a = low + 1;
      b = high;
      while (a < b) {
        const middle = (a + b) >>> 1;
        if (sorted[middle]!.startsWith(prefix)) a = middle + 1;
        else b = middle;
      }
      high = a;
    }
    return found;
  }
}

function unigramModelOf(tokenizer: unknown): UnigramModel | null {
  const model = (tokenizer as { _tokenizer?: { model?: Partial<UnigramModel> } } | null)?._tokenizer?.model;
  if (!model || typeof model.trie?.common_prefix_search !== 'function') return null;
  if (!Array.isArray(model.vocab) || !(model.tokens_to_ids instanceof Map)) return null;
  return model as UnigramModel;
}

/**
 * Gives a loaded transformers.js tokenizer's Unigram model the compact vocabulary, and lets the
 * copied [piece, score] pairs go. Returns false, changing nothing, for another kind of tokenizer
 * (WordPiece, BPE) or a library version that keeps its Unigram model differently.
 */
export function compactUnigramVocabulary(tokenizer: unknown): boolean {
  const model = unigramModelOf(tokenizer);
  if (!model) return false;
  model.trie = new SortedVocabulary(model.vocab);
  // The constructor copied the pairs into `vocab` and `scores`; nothing reads them afterwards.
  if (model.config && Array.isArray(model.config.vocab)) model.config.vocab = [];
  return true;
}
