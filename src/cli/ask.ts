import { formatExcerpt } from '../retrieval/excerpt.ts';
import { openRetriever } from '../retrieval/open-retriever.ts';
import { SEARCH_MODES, type Retriever, type SearchMode, type SearchResponse } from '../retrieval/retriever.ts';
import { parseCliArgs, runCli, UsageError } from '../command-line.ts';
import { expectFolder, loadCliConfig, parseChoice, parsePositiveInt, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run ask -- "question" [--k N] [--mode hybrid|dense|lexical] [--index DIR] [--json]

Finds the passages that best answer a question, from the index built by \`npm run index\`.
  --k N          number of results (default 5)
  --mode MODE    hybrid (default), dense (meaning only) or lexical (words only, no model)
  --index DIR    index folder (default: QUELLE_INDEX_DIR or embeddings)
  --all          also show passages judged not relevant enough (normally left out)
  --json         print {"results":[{rank, score, article, title, date, category, paragraph, excerpt, text,
                 relevant, lexical_relevance, dense_score, missing_specifics}], "declined", "mode", "notice",
                 "took_ms", "relevance"}; "declined" is true when nothing is relevant; "relevance" says how that
                 was decided (the lexical threshold, the dense side's calibration); "missing_specifics" lists
                 the question's numbers (years, amounts) the passage's article lacks, which make it not relevant`;

runCli(async (run) => {
  const { values, positionals } = parseCliArgs(
    { k: { type: 'string' }, mode: { type: 'string' }, index: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const question = positionals.join(' ').trim();
  if (question === '') throw new UsageError(`Give a question to ask.\n\n${USAGE}`);
  const config = loadCliConfig();
  const mode = parseChoice(values.mode, 'mode', SEARCH_MODES, config.mode);
  const indexDir = values.index ?? config.indexDir;
  await expectFolder(indexDir, values.index === undefined ? null : '--index', 'QUELLE_INDEX_DIR');
  run.uses({ path: indexDir, role: 'index folder', choose: '--index DIR or QUELLE_INDEX_DIR' });
  const retriever = await openRetriever({ indexDir, modelSettings: config.model, mode, relevance: config.relevance, fusion: config.fusion, logger: stderrLogger() });
  const found = await retriever.search(question, { k: parsePositiveInt(values.k, 'k', 5), mode });
  const response = values.all ? found : { ...found, hits: found.hits.filter((hit) => hit.relevant) };
  if (response.notice) process.stderr.write(`note: ${response.notice}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(toJson(response, retriever, mode))}\n` : formatReadable(response, process.stdout.isTTY === true));
});

function toJson(response: SearchResponse, retriever: Retriever, mode: SearchMode) {
  const rounded = (value: number | null): number | null => (value === null ? null : Number(value.toFixed(4)));
  return {
    results: response.hits.map(({ rank, score, passage, excerpt, relevant, lexicalScore, denseScore, missingSpecifics }) => ({
      rank,
      score: Number(score.toFixed(6)),
      article: passage.articleId,
      title: passage.title,
      date: passage.date,
      category: passage.category,
      paragraph: passage.paragraph,
      excerpt: formatExcerpt(excerpt),
      text: passage.text,
      relevant,
      lexical_relevance: rounded(lexicalScore),
      dense_score: rounded(denseScore),
      missing_specifics: missingSpecifics,
    })),
    declined: response.declined,
    mode: response.mode,
    notice: response.notice,
    took_ms: Number(response.tookMs.toFixed(2)),
    relevance: {
      min_lexical_score: retriever.relevance.thresholds.minLexicalScore,
      dense: retriever.denseRelevance(response.mode === 'lexical' ? 'lexical' : mode),
      calibration: retriever.index.manifest.denseCalibration ?? null,
    },
  };
}

function formatReadable(response: SearchResponse, color: boolean): string {
  if (response.hits.length === 0) return 'Nothing relevant found in the articles for that question.\n';
  const [open, close] = color ? ['\u001b[1m', '\u001b[22m'] : ['**', '**'];
  const blocks = response.hits.map(({ rank, score, passage, excerpt }) => {
    const meta = [passage.date, passage.category, `¶${passage.paragraph}`].filter(Boolean).join(' · ');
    return `${rank}. [${score.toFixed(4)}] ${passage.title} — ${meta}\n   ${formatExcerpt(excerpt, open, close)}`;
  });
  return `${blocks.join('\n\n')}\n\n(${response.mode}, ${response.tookMs.toFixed(1)} ms)\n`;
}
