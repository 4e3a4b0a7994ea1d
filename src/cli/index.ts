import { runIndexer, type IndexSummary } from '../indexer/run-indexer.ts';
import { formatSeconds, loadCliConfig, parseChoice, parseCliArgs, progressReporter, runCli, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run index -- [--seeds DIR] [--index DIR] [--mode hybrid|lexical] [--rebuild] [--json]

Reads the articles in the seeds folder and builds (or updates) the search index.
  --seeds DIR    article folder (default: QUELLE_SEEDS_DIR or seeds)
  --index DIR    index folder (default: QUELLE_INDEX_DIR or embeddings)
  --mode MODE    hybrid: embed passages and index words (default); lexical: words only, no model
  --rebuild      re-embed every article instead of only the changed ones
  --json         print the summary as JSON`;

runCli(async () => {
  const { values } = parseCliArgs(
    {
      seeds: { type: 'string' },
      index: { type: 'string' },
      mode: { type: 'string' },
      rebuild: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const config = loadCliConfig();
  const defaultMode = config.mode === 'lexical' ? 'lexical' : 'hybrid';
  const progress = progressReporter();
  const { summary } = await runIndexer({
    seedsDir: values.seeds ?? config.seedsDir,
    indexDir: values.index ?? config.indexDir,
    mode: parseChoice(values.mode, 'mode', ['hybrid', 'lexical'] as const, defaultMode),
    rebuild: values.rebuild ?? false,
    modelSettings: config.model,
    logger: stderrLogger(),
    onProgress: progress.update,
  }).finally(progress.stop);
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary, values.index ?? config.indexDir));
});

function formatSummary(summary: IndexSummary, indexDir: string): string {
  const lines = [
    `Indexed ${summary.articles} articles (${summary.passages} passages) in ${formatSeconds(summary.seconds)} — ${summary.passagesPerSecond.toFixed(1)} passages/s`,
    `  mode ${summary.mode}${summary.model ? `, model ${summary.model}` : ''}; index in ${indexDir}`,
    `  added ${summary.added.length}, changed ${summary.changed.length}, removed ${summary.removed.length}, unchanged ${summary.unchanged}, skipped ${summary.skipped.length}; embedded ${summary.embeddedPassages} passages`,
    ...summary.skipped.map(({ file, reason }) => `  skipped ${file}: ${reason}`),
  ];
  if (summary.notice) lines.push(`  note: ${summary.notice}`);
  return `${lines.join('\n')}\n`;
}
