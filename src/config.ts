import { z } from 'zod';
import { resolveModelSettings, type ModelSettings } from './embedding/model-settings.ts';
import { ErrorCode, QuelleError } from './errors.ts';
import { DEFAULT_FUSION, type FusionSettings } from './retrieval/fuse-rankings.ts';
import { DEFAULT_RELEVANCE, type RelevanceThresholds } from './retrieval/relevance.ts';

/**
 * Settings from the environment (and `.env`), parsed once by each entry point. Empty strings
 * count as unset; every invalid variable is reported at once, with the fix.
 */
const emptyAsUnset = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = z.preprocess(emptyAsUnset, z.string().trim().optional());
/** An optional whole number in [min, max], with a message that names the range. */
const wholeNumber = (min: number, max: number, what: string) =>
  z.preprocess(emptyAsUnset, z.coerce.number({ error: `must be a whole number of ${what}, ${min}–${max}` }).int(`must be a whole number of ${what}, ${min}–${max}`).min(min, `must be at least ${min} (${what})`).max(max, `must be at most ${max} (${what})`).optional());
const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17–20 digits)');

const coreSchema = z.object({
  QUELLE_SEEDS_DIR: z.preprocess(emptyAsUnset, z.string().default('seeds')),
  QUELLE_INDEX_DIR: z.preprocess(emptyAsUnset, z.string().default('embeddings')),
  QUELLE_MODE: z.preprocess(emptyAsUnset, z.enum(['hybrid', 'dense', 'lexical']).default('hybrid')),
  EMBEDDING_MODEL: optionalText,
  EMBEDDING_MODEL_DIR: optionalText,
  EMBEDDING_DTYPE: z.preprocess(emptyAsUnset, z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).default('q8')),
  EMBEDDING_CACHE_DIR: optionalText,
  EMBEDDING_BATCH_SIZE: wholeNumber(1, 256, 'passages per batch'),
  EMBEDDING_BATCH_TOKENS: wholeNumber(16, 65_536, 'tokens per batch'),
  EMBEDDING_ASKING_BATCH_TOKENS: wholeNumber(16, 65_536, 'tokens per batch'),
  EMBEDDING_THREADS: wholeNumber(1, 64, 'onnxruntime threads'),
  EMBEDDING_NICE: wholeNumber(0, 19, 'nice value'),
  QUELLE_MIN_LEXICAL_SCORE: z.preprocess(emptyAsUnset, z.coerce.number().min(0).optional()),
  QUELLE_MIN_DENSE_SCORE: z.preprocess(emptyAsUnset, z.coerce.number().min(-1).max(1).optional()),
  QUELLE_MIN_DENSE_Z: z.preprocess(emptyAsUnset, z.coerce.number().optional()),
  QUELLE_RRF_K: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(1000).optional()),
  QUELLE_RRF_DENSE_WEIGHT: z.preprocess(emptyAsUnset, z.coerce.number().min(0).max(100).optional()),
  LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  QUELLE_DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('data')),
  QUELLE_LOG_DAYS: z.preprocess(emptyAsUnset, z.coerce.number().int('must be a whole number of days (0 keeps no question text)').min(0).max(3650).default(30)),
  // The message never repeats the value: it holds a password.
  // A host may be left out (postgresql:///quelle?host=/run/postgresql: a Unix socket).
  DATABASE_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .trim()
      .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), {
        error: 'must be a PostgreSQL URL such as postgres://quelle:PASSWORD@db.example:5432/quelle (or empty for the SQLite file in QUELLE_DATA_DIR)',
      })
      .optional(),
  ),
});

const shardCountText = 'must be a whole number of shards of at least 1';
const shardsText = `must be auto (as many shards as Discord recommends) or a whole number of shards of at least 1`;

/** "0,1", "0-3" or "4 5" → the shard ids; anything else is reported with an example. */
const shardIdList = z.preprocess(
  (value) => {
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    return value.split(/[\s,]+/).filter(Boolean).flatMap((part) => {
      const range = /^(\d+)-(\d+)$/.exec(part);
      if (range) return Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i);
      return /^\d+$/.test(part) ? [Number(part)] : [Number.NaN];
    });
  },
  z
    .array(z.number({ error: 'must list shard ids (whole numbers from 0) separated by commas, or a range: DISCORD_SHARD_IDS=0,1 or 0-1' }).int())
    .min(1, 'must list at least one shard id, e.g. DISCORD_SHARD_IDS=0,1 or 0-1')
    .refine((ids) => new Set(ids).size === ids.length, { error: 'lists a shard twice; list each shard id once' })
    .optional(),
);

const botSchema = coreSchema.extend({
  DISCORD_TOKEN: z.preprocess(emptyAsUnset, z.string({ error: 'is required: the bot token from the Discord developer portal (Bot → Reset Token)' }).min(50, 'does not look like a bot token')),
  DISCORD_CLIENT_ID: z.preprocess(emptyAsUnset, snowflake.optional()),
  DISCORD_GUILD_ID: z.preprocess(emptyAsUnset, snowflake.optional()),
  DISCORD_API_URL: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:3000/api' }).optional()),
  MODERATOR_ROLE_IDS: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((id) => id.trim()).filter(Boolean) : value ?? []),
    z.array(snowflake),
  ),
  QUELLE_ANSWER_CHANNEL_IDS: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : (value ?? [])),
    z.array(snowflake).refine((ids) => new Set(ids).size === ids.length, 'lists a channel twice'),
  ),
  QUELLE_COOLDOWN_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().min(0).max(3600).default(5)),
  QUELLE_RESULTS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(5).default(3)),
  QUELLE_ANSWER_FIRST_MS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(2000).default(1000)),
  QUELLE_WATCH: z.preprocess(emptyAsUnset, z.stringbool({ error: 'must be true or false' }).default(true)),
  QUELLE_FEEDS: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : (value ?? [])),
    z.array(z.url({ protocol: /^https?$/, error: 'must list http(s) feed URLs, separated by commas or spaces' })),
  ),
  QUELLE_FEED_MINUTES: z.preprocess(emptyAsUnset, z.coerce.number().min(1, 'must be at least 1 (minute)').max(10080).default(30)),
  QUELLE_AUDIT_CHANNEL_ID: z.preprocess(emptyAsUnset, snowflake.optional()),
  QUELLE_SHARDS: z.preprocess(
    emptyAsUnset,
    z
      .union([z.literal('auto'), z.coerce.number().int(shardsText).min(1, shardsText)], { error: shardsText })
      .optional(),
  ),
  DISCORD_SHARD_IDS: shardIdList,
  DISCORD_SHARD_COUNT: z.preprocess(emptyAsUnset, z.coerce.number({ error: shardCountText }).int(shardCountText).min(1, shardCountText).optional()),
}).superRefine((env, context) => {
  // Shard settings only make sense together: every host must agree on the count it splits.
  const problem = shardingProblem(env.QUELLE_SHARDS, env.DISCORD_SHARD_IDS, env.DISCORD_SHARD_COUNT);
  if (problem) context.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
});

function shardingProblem(shards: 'auto' | number | undefined, ids: number[] | undefined, count: number | undefined): { variable: string; message: string } | null {
  if (shards === 'auto' && ids) {
    return { variable: 'QUELLE_SHARDS', message: 'cannot be auto with DISCORD_SHARD_IDS: hosts that split the shards must agree on their number. Set QUELLE_SHARDS (or DISCORD_SHARD_COUNT) to the total number of shards' };
  }
  if (shards === 'auto' && count !== undefined) {
    return { variable: 'QUELLE_SHARDS', message: `is auto but DISCORD_SHARD_COUNT is ${count}: set one of them, not both` };
  }
  if (typeof shards === 'number' && count !== undefined && shards !== count) {
    return { variable: 'DISCORD_SHARD_COUNT', message: `is ${count} but QUELLE_SHARDS is ${shards}: both give the total number of shards; set one of them, or both to the same number` };
  }
  const total = typeof shards === 'number' ? shards : count;
  if (ids && total === undefined) {
    return { variable: 'DISCORD_SHARD_COUNT', message: 'is required with DISCORD_SHARD_IDS: set it to the total number of shards across every host (e.g. DISCORD_SHARD_IDS=0,1 and DISCORD_SHARD_COUNT=4 on one host, 2,3 and 4 on the other)' };
  }
  const outside = ids?.find((id) => total !== undefined && id >= total);
  if (outside !== undefined) {
    return { variable: 'DISCORD_SHARD_IDS', message: `lists shard ${outside}, but there are ${total} shards: ids run from 0 to ${Number(total) - 1}` };
  }
  return null;
}

export interface CoreConfig {
  readonly seedsDir: string;
  readonly indexDir: string;
  readonly mode: 'hybrid' | 'dense' | 'lexical';
  readonly model: ModelSettings;
  /** When a question is declined as unanswerable; see src/retrieval/relevance.ts. */
  readonly relevance: RelevanceThresholds;
  /** How hybrid search fuses its two rankings; see src/retrieval/fuse-rankings.ts. */
  readonly fusion: FusionSettings;
  readonly logLevel: string;
  /** Folder of the community database (questions, votes, history); see src/storage/. */
  readonly dataDir: string;
  /** Days question text and answer details are kept; 0 keeps no question text. See src/community/retention.ts. */
  readonly logDays: number;
  /**
   * PostgreSQL shared by every process and host (DATABASE_URL): the community database, shared
   * cooldowns, the deployment-wide build lock and published index generations; null for the
   * SQLite file in `dataDir` and a local index only.
   */
  readonly databaseUrl: string | null;
  /** Settings that still work but will go, each with what replaces it (the entry points print them). */
  readonly deprecations: readonly string[];
}

/**
 * How the bot connects to Discord's gateway. Unsharded (the default): one process, one
 * connection. `manager`: discord.js's ShardingManager runs one child process per shard.
 * Otherwise, with a `count`, this process runs `ids` (or every shard) itself.
 */
export interface ShardSettings {
  /** QUELLE_SHARDS: run a ShardingManager that spawns a process per shard. */
  readonly manager: boolean;
  /** Shards across the whole deployment ('auto': as many as Discord recommends); null when unsharded. */
  readonly count: number | 'auto' | null;
  /** The shards this host runs (DISCORD_SHARD_IDS); null for every shard of `count`. */
  readonly ids: readonly number[] | null;
}

export interface BotConfig extends CoreConfig {
  readonly token: string;
  readonly clientId: string | null;
  readonly guildId: string | null;
  readonly apiUrl: string | null;
  readonly moderatorRoleIds: readonly string[];
  /**
   * Text and forum channels where every new message (or forum post) is answered in a thread,
   * without a mention. Non-empty, it makes the bot request the privileged Message Content intent.
   */
  readonly answerChannelIds: readonly string[];
  readonly cooldownSeconds: number;
  readonly results: number;
  /**
   * /ask replies with the answer itself when it is ready within this many ms, and defers first
   * when it is not (0: always defers first). At most 2 s, inside Discord's 3-second deadline.
   */
  readonly answerFirstMs: number;
  /** Index new, changed and deleted files in the seeds folder as they appear. */
  readonly watchSeeds: boolean;
  /** RSS/Atom feeds whose new items are saved as articles. */
  readonly feeds: readonly string[];
  readonly feedMinutes: number;
  /** Where every article change is posted, or null. */
  readonly auditChannelId: string | null;
  readonly sharding: ShardSettings;
}

type Env = Record<string, string | undefined>;

function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')} ${issue.message}`);
  throw new QuelleError(
    ErrorCode.InvalidConfig,
    `Invalid configuration (environment or .env):\n${problems.join('\n')}\nSee .env.example for every setting.`,
  );
}

function toCore(env: z.infer<typeof coreSchema>): CoreConfig {
  return {
    seedsDir: env.QUELLE_SEEDS_DIR,
    indexDir: env.QUELLE_INDEX_DIR,
    mode: env.QUELLE_MODE,
    model: resolveModelSettings({
      model: env.EMBEDDING_MODEL,
      modelDir: env.EMBEDDING_MODEL_DIR,
      dtype: env.EMBEDDING_DTYPE,
      cacheDir: env.EMBEDDING_CACHE_DIR,
      inference: { batchSize: env.EMBEDDING_BATCH_SIZE, batchTokens: env.EMBEDDING_BATCH_TOKENS, askingBatchTokens: env.EMBEDDING_ASKING_BATCH_TOKENS, threads: env.EMBEDDING_THREADS, nice: env.EMBEDDING_NICE },
    }),
    relevance: {
      minLexicalScore: env.QUELLE_MIN_LEXICAL_SCORE ?? DEFAULT_RELEVANCE.minLexicalScore,
      minDenseScore: env.QUELLE_MIN_DENSE_SCORE ?? null,
      // Deprecated: the calibration made at index time replaces it (QUELLE_MIN_DENSE_SCORE wins when both are set).
      minDenseZ: env.QUELLE_MIN_DENSE_SCORE === undefined ? (env.QUELLE_MIN_DENSE_Z ?? null) : null,
    },
    fusion: {
      k: env.QUELLE_RRF_K ?? DEFAULT_FUSION.k,
      denseWeight: env.QUELLE_RRF_DENSE_WEIGHT ?? DEFAULT_FUSION.denseWeight,
    },
    logLevel: env.LOG_LEVEL,
    dataDir: env.QUELLE_DATA_DIR,
    logDays: env.QUELLE_LOG_DAYS,
    databaseUrl: env.DATABASE_URL ?? null,
    deprecations:
      env.QUELLE_MIN_DENSE_Z === undefined
        ? []
        : [
            env.QUELLE_MIN_DENSE_SCORE === undefined
              ? 'QUELLE_MIN_DENSE_Z is deprecated: each index now calibrates its dense threshold when it is built. Remove the setting to use the calibration, or set QUELLE_MIN_DENSE_SCORE (a cosine similarity) instead.'
              : 'QUELLE_MIN_DENSE_Z is deprecated and ignored, since QUELLE_MIN_DENSE_SCORE is set: remove it.',
          ],
  };
}

export function loadCoreConfig(env: Env = process.env): CoreConfig {
  return toCore(parseEnv(coreSchema, env));
}

export function loadBotConfig(env: Env = process.env): BotConfig {
  const parsed = parseEnv(botSchema, env);
  return {
    ...toCore(parsed),
    token: parsed.DISCORD_TOKEN,
    clientId: parsed.DISCORD_CLIENT_ID ?? null,
    guildId: parsed.DISCORD_GUILD_ID ?? null,
    apiUrl: parsed.DISCORD_API_URL ?? null,
    moderatorRoleIds: parsed.MODERATOR_ROLE_IDS,
    answerChannelIds: parsed.QUELLE_ANSWER_CHANNEL_IDS,
    cooldownSeconds: parsed.QUELLE_COOLDOWN_SECONDS,
    results: parsed.QUELLE_RESULTS,
    answerFirstMs: parsed.QUELLE_ANSWER_FIRST_MS,
    watchSeeds: parsed.QUELLE_WATCH,
    feeds: parsed.QUELLE_FEEDS,
    feedMinutes: parsed.QUELLE_FEED_MINUTES,
    auditChannelId: parsed.QUELLE_AUDIT_CHANNEL_ID ?? null,
    sharding: {
      manager: parsed.QUELLE_SHARDS !== undefined,
      count: parsed.QUELLE_SHARDS ?? parsed.DISCORD_SHARD_COUNT ?? null,
      ids: parsed.DISCORD_SHARD_IDS ? [...parsed.DISCORD_SHARD_IDS].sort((a, b) => a - b) : null,
    },
  };
}
