import { rename, rm, writeFile } from 'node:fs/promises';
import { exportFeedback, feedbackJsonLines } from '../community/feedback-export.ts';
import { parseCliArgs, printable, runCli, UsageError } from '../command-line.ts';
import { DAY_MS } from '../storage/community-store.ts';
import { loadCliConfig, parsePositiveInt } from './cli-support.ts';
import { openCommunityForCli } from './open-community.ts';

const USAGE = `Usage: npm run feedback -- export --out FILE.jsonl [--days N] [--guild ID] [--data DIR]

Writes members' feedback from the bot's database as evaluation data that \`npm run eval\` reads:
answers voted helpful (more 👍 than 👎) as {"question", "article", "paragraph", "lang"} — the
answer's first citation is the gold paragraph — and declined questions that no member marked 👍
as {"question", "lang", "unanswerable": true}. Then:
  npm run eval -- --seeds seeds --questions FILE.jsonl [--calibrate]
  --out FILE   the file to write (replaced whole)
  --days N     only answers of the last N days (default: all that retention keeps)
  --guild ID   one server's answers only
  --data DIR   the data folder (default QUELLE_DATA_DIR, or data); with DATABASE_URL set, the
               PostgreSQL database instead`;

runCli(async (run) => {
  const { values, positionals } = parseCliArgs({ out: { type: 'string' }, days: { type: 'string' }, guild: { type: 'string' }, data: { type: 'string' } }, USAGE);
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const [action, ...rest] = positionals;
  if (action !== 'export' || rest.length > 0) throw new UsageError(`${action === undefined ? 'Name the action: export.' : `Unknown action "${printable([action, ...rest].join(' '))}": the action is export.`}\n\n${USAGE}`);
  if (!values.out) throw new UsageError(`--out FILE is required.\n\n${USAGE}`);
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) throw new UsageError(`--guild must be a Discord server id (17–20 digits), not "${printable(values.guild)}".`);
  const since = values.days === undefined ? 0 : Date.now() - parsePositiveInt(values.days, 'days', 1) * DAY_MS;
  const config = loadCliConfig();
  const { store, close } = await openCommunityForCli(config, values.data, run);
  try {
    const rows = await exportFeedback(store, { since, guildId: values.guild });
    // Written beside the target and renamed over it: a reader never sees half a file.
    const temporary = `${values.out}.tmp-${process.pid}`;
    try {
      await writeFile(temporary, feedbackJsonLines(rows));
      await rename(temporary, values.out);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    process.stdout.write(`Wrote ${rows.answerable.length} answered and ${rows.unanswerable.length} unanswerable questions to ${printable(values.out)}\n`);
    if (rows.answerable.length + rows.unanswerable.length === 0) {
      process.stderr.write(
        config.logDays === 0
          ? 'note: QUELLE_LOG_DAYS=0 keeps no question text, so there is no feedback to export.\n'
          : 'note: nothing to export yet: no answer voted helpful and no declined question with its text kept.\n',
      );
    }
  } finally {
    await close();
  }
});
