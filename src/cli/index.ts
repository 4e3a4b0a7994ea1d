import { InterruptedError, parseCliArgs, printable, runCli, signalExitCode } from '../command-line.ts';
import { hasIndex } from '../index/index-store.ts';
import { openIndexDistribution } from '../storage/postgres-generations.ts';
import type { DenseCalibration } from '../index/manifest.ts';
import { runIndexer, type IndexerRun, type IndexSummary } from '../indexer/run-indexer.ts';
import { abortOnSignals, expectFolder, formatSeconds, loadCliConfig, parseChoice, progressReporter, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run index -- [--seeds DIR] [--index DIR] [--mode hybrid|lexical] [--rebuild] [--json]

Reads the articles in the seeds folder and builds (or updates) the search index.
  --seeds DIR    article folder (default: QUELLE_SEEDS_DIR or seeds)
  --index DIR    index folder (default: QUELLE_INDEX_DIR or embeddings)
  --mode MODE    hybrid: embed passages and index words (default); lexical: words only, no model
  --rebuild      re-embed every article instead of only the changed ones
  --json         print the summary as JSON

Ctrl-C stops the build cleanly: the previous index stays as it was.`;

runCli(async (run) => {
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
  const mode = parseChoice(values.mode, 'mode', ['hybrid', 'lexical'] as const, defaultMode);
  const seedsDir = values.seeds ?? config.seedsDir;
  const indexDir = values.index ?? config.indexDir;
  await expectFolder(indexDir, values.index === undefined ? null : '--index', 'QUELLE_INDEX_DIR');
  const kept = 'The previous index, if any, is unchanged.';
  run.uses({ path: indexDir, role: 'index folder', choose: '--index DIR or QUELLE_INDEX_DIR', kept });
  run.uses({ path: seedsDir, role: 'seeds folder', choose: '--seeds DIR or QUELLE_SEEDS_DIR', kept });

  const logger = stderrLogger();
  // With DATABASE_URL: one build across the deployment, published to the other hosts.
  const distribution = await openIndexDistribution(config.databaseUrl, logger);
  const progress = progressReporter();
  const interrupt = abortOnSignals();
  let built: IndexerRun;
  try {
    built = await runIndexer({
      seedsDir,
      indexDir,
      mode,
      rebuild: values.rebuild ?? false,
      modelSettings: config.model,
      logger,
      distribution,
      onProgress: progress.update,
      signal: interrupt.signal,
    }).finally(progress.stop);
  } catch (error) {
    if (interrupt.received === null) throw error;
    // runIndexer has released the lock and left the index folder as it was.
    const previous = (await hasIndex(indexDir).catch(() => false))
      ? `the previous index in ${printable(indexDir)} is unchanged`
      : `there is no index in ${printable(indexDir)} yet`;
    throw new InterruptedError(interrupt.received, `Interrupted (${interrupt.received}): the build stopped; ${previous}. Run \`npm run index\` again to build it.`);
  } finally {
    interrupt.dispose();
    await distribution?.close();
  }
  process.stdout.write(values.json ? `${JSON.stringify(built.summary)}\n` : formatSummary(built.summary, indexDir));
  if (interrupt.received !== null) {
    // The signal came while the new generation was being saved, which is not interrupted.
    process.stderr.write(`Interrupted (${interrupt.received}) while saving: the new index above is complete.\n`);
    process.exitCode = signalExitCode(interrupt.received);
  }
});

function formatSummary(summary: IndexSummary, indexDir: string): string {
  const lines = [
    `Indexed ${summary.articles} articles (${summary.passages} passages) in ${formatSeconds(summary.seconds)} — ${summary.passagesPerSecond.toFixed(1)} passages/s`,
    `  mode ${summary.mode}${summary.model ? `, model ${summary.model}` : ''}; index in ${printable(indexDir)}`,
    `  added ${summary.added.length}, changed ${summary.changed.length}, removed ${summary.removed.length}, unchanged ${summary.unchanged}, skipped ${summary.skipped.length}; embedded ${summary.embeddedPassages} passages${summary.resumedPassages ? ` (${summary.resumedPassages} more were taken from the build that stopped before)` : ""}`,
    ...summary.skipped.map(({ file, reason }) => `  skipped ${printable(file)}: ${printable(reason)}`),
  ];
  const calibration = summary.denseCalibration;
  if (calibration) lines.push(`  ${formatCalibration(calibration, summary.denseCalibrationReused)}`);
  if (summary.notice) lines.push(`  note: ${printable(summary.notice)}`);
  return `${lines.join('\n')}\n`;
}

/** One line on the dense side's calibration: its thresholds and how well it separated, or why it may not vouch. */
function formatCalibration(calibration: DenseCalibration, reused: boolean): string {
  const { samples, separation } = calibration;
  const percent = (share: number): string => `${Math.round(share * 100)}%`;
  const measured = reused
    ? 'kept from the previous index (same passages, same model)'
    : `${samples.pseudoQuestions} questions drawn from the articles against ${samples.offTopic} off-topic ones, ${formatSeconds(calibration.seconds)}`;
  const figures = `separation AUC ${separation.auc.toFixed(3)}, translations matched ${percent(separation.translationsMatched)}, off-topic declined ${percent(separation.offTopicDeclined)}`;
  return calibration.vouches
    ? `dense relevance calibrated (${measured}): cosine ≥ ${calibration.threshold.toFixed(3)} for German questions, ≥ ${(calibration.threshold - calibration.englishOffset).toFixed(3)} for English ones, unit ${calibration.unit.toFixed(3)}; ${figures}`
    : `dense relevance: the model may not vouch for answers here, the lexical side decides alone (${measured}): ${printable(calibration.reason ?? '')}; ${figures}`;
}
