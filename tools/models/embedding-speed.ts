/**
 * `npx tsx tools/models/embedding-speed.ts [--model DIR] [--dtype q8|fp32] [--passages N] [--queries N]`:
 * how fast the product's embedder runs a model directory: passages per second in batches of 16
 * (XQuAD-de paragraphs in file order, as an index build meets them) and the median and 95th
 * percentile of single query embeddings. Prints one JSON line.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chunkArticle } from '../../src/articles/chunk-article.ts';
import { readArticles } from '../../src/articles/read-articles.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { loadTransformersEmbedder } from '../../src/embedding/transformers-embedder.ts';
import { DEFAULT_BUNDLED_DIR } from './bundled-e5.ts';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: DEFAULT_BUNDLED_DIR },
      dtype: { type: 'string', default: 'q8' },
      articles: { type: 'string', default: '../shared/eval/xquad-de/articles' },
      passages: { type: 'string', default: '160' },
      queries: { type: 'string', default: '50' },
    },
  });
  const { articles } = await readArticles(path.resolve(values.articles));
  const passages = articles.flatMap((article) => chunkArticle(article).map((p) => p.text)).slice(0, Number(values.passages));
  const questions = passages.map((text) => text.split(/[.?!]/)[0]!.slice(0, 80)).slice(0, Number(values.queries));

  const loadStart = performance.now();
  const embedder = await loadTransformersEmbedder(resolveModelSettings({ modelDir: values.model, dtype: values.dtype }));
  const loadMs = performance.now() - loadStart;
  await embedder.embedPassages(passages.slice(0, 16)); // warm-up
  const start = performance.now();
  await embedder.embedPassages(passages, { batchSize: 16 });
  const seconds = (performance.now() - start) / 1000;
  const times: number[] = [];
  for (const question of questions) {
    const t = performance.now();
    await embedder.embedQuery(question);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  await embedder.dispose();
  console.log(
    JSON.stringify({
      model: path.basename(path.resolve(values.model)),
      dtype: values.dtype,
      load_ms: Math.round(loadMs),
      passages: passages.length,
      passages_per_s: Number((passages.length / seconds).toFixed(1)),
      query_p50_ms: Number(percentile(times, 0.5).toFixed(1)),
      query_p95_ms: Number(percentile(times, 0.95).toFixed(1)),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
