import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addArticle } from '../article-admin/add-article.ts';
import type { ArticleChange, ArticleDeskDependencies } from '../article-admin/article-change.ts';
import { ArticleStore } from '../article-admin/article-store.ts';
import { LogAuditSink, type AuditActor } from '../article-admin/audit.ts';
import { listArticles } from '../article-admin/list-articles.ts';
import { removeArticle } from '../article-admin/remove-article.ts';
import { replaceArticle } from '../article-admin/replace-article.ts';
import { showArticle } from '../article-admin/show-article.ts';
import { checkSubmittedSize } from '../article-admin/submission.ts';
import { parseCliArgs, printable, runCli, UsageError } from '../command-line.ts';
import { LocalIndexUpdater } from '../indexer/local-index-updater.ts';
import { openIndexDistribution } from '../storage/postgres-generations.ts';
import { expectFolder, formatSeconds, loadCliConfig, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run articles -- add FILE | replace ID FILE | remove ID | show ID | list  [--seeds DIR] [--index DIR] [--json]

Manages the articles in the seeds folder, as /article does in Discord, and updates the index
(only what changed is embedded again; a running bot serves the result as soon as it is saved).
  add FILE          check FILE (.txt or .md) with the indexer's parser, store it under a new id
  replace ID FILE   replace article ID's text with FILE
  remove ID         delete article ID
  show ID           the article as indexed: title, date, category, source, passages
  list              every article file: id, title, date
  --seeds DIR       article folder (default: QUELLE_SEEDS_DIR or seeds)
  --index DIR       index folder (default: QUELLE_INDEX_DIR or embeddings)
  --json            print the result as JSON

A refused file changes nothing; the error names the line at fault. Every change is logged (who,
when) on stderr.`;

const ARITY: Record<string, number> = { add: 1, replace: 2, remove: 1, show: 1, list: 0 };

runCli(async (run) => {
  const { values, positionals } = parseCliArgs({ seeds: { type: 'string' }, index: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const [action, ...args] = positionals;
  if (action === undefined || ARITY[action] === undefined) throw new UsageError(`${action === undefined ? 'Say what to do' : `Unknown action "${printable(action)}"`}.\n\n${USAGE}`);
  if (args.length !== ARITY[action]) throw new UsageError(`"${action}" takes ${ARITY[action]} argument(s), got ${args.length}.\n\n${USAGE}`);

  const config = loadCliConfig();
  const seedsDir = values.seeds ?? config.seedsDir;
  const indexDir = values.index ?? config.indexDir;
  await expectFolder(indexDir, values.index === undefined ? null : '--index', 'QUELLE_INDEX_DIR');
  await expectFolder(seedsDir, values.seeds === undefined ? null : '--seeds', 'QUELLE_SEEDS_DIR');
  run.uses({ path: seedsDir, role: 'seeds folder', choose: '--seeds DIR or QUELLE_SEEDS_DIR' });
  run.uses({ path: indexDir, role: 'index folder', choose: '--index DIR or QUELLE_INDEX_DIR' });

  const logger = stderrLogger();
  // With DATABASE_URL: one build across the deployment, published to the other hosts. Its pool lets the command exit.
  const distribution = await openIndexDistribution(config.databaseUrl, logger);
  const index = new LocalIndexUpdater({ seedsDir, indexDir, mode: config.mode === 'lexical' ? 'lexical' : 'hybrid', modelSettings: config.model, logger, distribution });
  await index.load();
  const deps: ArticleDeskDependencies = { store: new ArticleStore(seedsDir), index, audit: new LogAuditSink(logger) };
  const actor: AuditActor = { via: 'cli', user: os.userInfo().username };
  const print = (json: unknown, text: string): void => void process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : text);

  switch (action) {
    case 'add':
    case 'replace': {
      const file = action === 'add' ? args[0]! : args[1]!;
      const submission = { kind: 'file' as const, bytes: await readArticleFile(file), name: path.basename(file) };
      const change = action === 'add' ? await addArticle(deps, submission, actor) : await replaceArticle(deps, args[0]!, submission, actor);
      print(change, describeChange(change));
      if (!change.index.ok) process.exitCode = 1;
      return;
    }
    case 'remove': {
      const change = await removeArticle(deps, args[0]!, actor);
      print(change, describeChange(change));
      if (!change.index.ok) process.exitCode = 1;
      return;
    }
    case 'show': {
      const details = await showArticle(deps, args[0]!);
      const article = details.indexed;
      const lines = [
        `${details.id}  ${printable(details.file)}`,
        article ? `  ${printable(article.title)}` : '  (not in the index yet)',
        ...(article ? [`  ${[article.date, article.category, article.url].filter(Boolean).map((part) => printable(part!)).join(' · ')}`] : []),
        ...details.passages.map((passage) => `  ¶${passage.paragraph}${passage.parts > 1 ? `.${passage.part}` : ''} ${printable(passage.text.slice(0, 160))}${passage.text.length > 160 ? '…' : ''}`),
      ];
      print(details, `${lines.join('\n')}\n`);
      return;
    }
    case 'list': {
      const articles = await listArticles(deps);
      print(articles, articles.map((article) => `${article.id}\t${article.date ?? '-'}\t${printable(article.title ?? '(not indexed yet)')}\n`).join(''));
      return;
    }
  }
});

/** The file's bytes; a folder or an oversized file is refused before it is read whole. */
async function readArticleFile(file: string): Promise<Uint8Array> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new UsageError(`${printable(file)} does not exist.\n\n${USAGE}`);
  if (!info.isFile()) throw new UsageError(`${printable(file)} is not a file.\n\n${USAGE}`);
  checkSubmittedSize(info.size);
  return readFile(file);
}

function describeChange(change: ArticleChange): string {
  const what = change.action === 'add' ? 'Added' : change.action === 'replace' ? 'Replaced' : 'Removed';
  const lines = [`${what} article ${change.id}${change.action === 'remove' ? '' : ` (${change.paragraphs} paragraphs)`}: ${printable(change.title)}`];
  if (change.index.ok) {
    const { summary, sample } = change.index;
    lines.push(`  index: ${summary.articles} articles, ${summary.passages} passages; embedded ${summary.embeddedPassages} in ${formatSeconds(summary.seconds)}`);
    if (sample) lines.push(`  cited as: ${printable(sample.title)} — ${[sample.date, sample.category, `¶${sample.paragraph}`].filter(Boolean).join(' · ')}: ${printable(sample.text.slice(0, 120))}…`);
  } else {
    lines.push(`  not indexed yet: ${printable(change.index.reason)}`, '  Run `npm run index` once the problem is fixed.');
  }
  return `${lines.join('\n')}\n`;
}
