import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBotConfig, loadCoreConfig } from '../src/config.ts';
import { ErrorCode, isQuelleError, QuelleError } from '../src/errors.ts';
import { DEFAULT_RELEVANCE } from '../src/retrieval/relevance.ts';
import { DEFAULT_FUSION } from '../src/retrieval/fuse-rankings.ts';
import { DEFAULT_INFERENCE } from '../src/embedding/model-settings.ts';

const TOKEN = `${'M'.repeat(26)}.GaBcDe.${'x'.repeat(38)}`;
const ROLE_A = '123456789012345678';
const ROLE_B = '234567890123456789';

/** The error a config load throws, to inspect every line of it. */
function configError(load: () => unknown): QuelleError {
  try {
    load();
  } catch (error) {
    if (isQuelleError(error)) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadCoreConfig', () => {
  it('reads the inference settings and refuses values that are no whole number in range, naming each', () => {
    const config = loadCoreConfig({ EMBEDDING_BATCH_SIZE: '8', EMBEDDING_BATCH_TOKENS: '1024', EMBEDDING_ASKING_BATCH_TOKENS: '64', EMBEDDING_THREADS: '1', EMBEDDING_NICE: '0' });
    expect(config.model.inference).toEqual({ batchSize: 8, batchTokens: 1024, askingBatchTokens: 64, threads: 1, nice: 0 });
    const error = configError(() =>
      loadCoreConfig({ EMBEDDING_BATCH_SIZE: 'viele', EMBEDDING_BATCH_TOKENS: '1.5', EMBEDDING_ASKING_BATCH_TOKENS: '8', EMBEDDING_THREADS: '0' }),
    );
    expect(error.code).toBe(ErrorCode.InvalidConfig);
    expect(error.message).toContain('EMBEDDING_BATCH_SIZE must be a whole number of passages per batch, 1–256');
    expect(error.message).toContain('EMBEDDING_BATCH_TOKENS must be a whole number of tokens per batch, 16–65536');
    expect(error.message).toContain('EMBEDDING_ASKING_BATCH_TOKENS must be at least 16 (tokens per batch)');
    expect(error.message).toContain('EMBEDDING_THREADS must be at least 1');
  });

  it('has a default for everything', () => {
    expect(loadCoreConfig({})).toEqual({
      seedsDir: 'seeds',
      indexDir: 'embeddings',
      mode: 'hybrid',
      model: {
        model: 'Xenova/multilingual-e5-small',
        local: false,
        dtype: 'q8',
        queryPrefix: 'query: ',
        passagePrefix: 'passage: ',
        cacheDir: path.resolve('.cache/models'),
        inference: DEFAULT_INFERENCE,
      },
      relevance: { ...DEFAULT_RELEVANCE, minDenseScore: null, minDenseZ: null },
      fusion: DEFAULT_FUSION,
      logLevel: 'info',
      dataDir: 'data',
      logDays: 30,
      databaseUrl: null,
      deprecations: [],
    });
  });

  it('QUELLE_MIN_DENSE_SCORE overrides the index\'s dense calibration; the deprecated QUELLE_MIN_DENSE_Z still works, with a note, unless the new one is set', () => {
    expect(loadCoreConfig({ QUELLE_MIN_DENSE_SCORE: '0.85' }).relevance).toEqual({ ...DEFAULT_RELEVANCE, minDenseScore: 0.85, minDenseZ: null });
    const old = loadCoreConfig({ QUELLE_MIN_DENSE_Z: '2.5' });
    expect(old.relevance).toEqual({ ...DEFAULT_RELEVANCE, minDenseScore: null, minDenseZ: 2.5 });
    expect(old.deprecations).toEqual([expect.stringMatching(/^QUELLE_MIN_DENSE_Z is deprecated: each index now calibrates its dense threshold when it is built\. .*QUELLE_MIN_DENSE_SCORE/)]);
    const both = loadCoreConfig({ QUELLE_MIN_DENSE_Z: '2.5', QUELLE_MIN_DENSE_SCORE: '0.8' });
    expect(both.relevance).toEqual({ ...DEFAULT_RELEVANCE, minDenseScore: 0.8, minDenseZ: null });
    expect(both.deprecations).toEqual([expect.stringContaining('ignored, since QUELLE_MIN_DENSE_SCORE is set')]);
    expect(() => loadCoreConfig({ QUELLE_MIN_DENSE_SCORE: '1.5' })).toThrow(/QUELLE_MIN_DENSE_SCORE/);
  });

  it('counts empty and blank strings as unset', () => {
    const blank = {
      QUELLE_SEEDS_DIR: '',
      QUELLE_INDEX_DIR: '  ',
      QUELLE_MODE: '',
      EMBEDDING_MODEL: '',
      EMBEDDING_MODEL_DIR: ' ',
      EMBEDDING_DTYPE: '',
      EMBEDDING_CACHE_DIR: '',
      EMBEDDING_BATCH_SIZE: '',
      EMBEDDING_BATCH_TOKENS: ' ',
      EMBEDDING_THREADS: '',
      QUELLE_RRF_K: '',
      QUELLE_RRF_DENSE_WEIGHT: ' ',
      LOG_LEVEL: '',
      QUELLE_DATA_DIR: ' ',
      QUELLE_LOG_DAYS: '',
      DATABASE_URL: ' ',
    };
    expect(loadCoreConfig(blank)).toEqual(loadCoreConfig({}));
  });

  it('reads the settings it is given', () => {
    const config = loadCoreConfig({
      QUELLE_SEEDS_DIR: 'artikel',
      QUELLE_INDEX_DIR: 'index',
      QUELLE_MODE: 'lexical',
      EMBEDDING_DTYPE: 'fp32',
      EMBEDDING_CACHE_DIR: 'cache',
      QUELLE_RRF_K: '5',
      QUELLE_RRF_DENSE_WEIGHT: '0.25',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ seedsDir: 'artikel', indexDir: 'index', mode: 'lexical', logLevel: 'debug', fusion: { k: 5, denseWeight: 0.25 } });
    expect(config.model.dtype).toBe('fp32');
    expect(config.model.cacheDir).toBe(path.resolve('cache'));
  });

  it('reads the data folder and the retention in days, where 0 (keep no question text) is allowed', () => {
    expect(loadCoreConfig({ QUELLE_DATA_DIR: '/var/lib/quelle', QUELLE_LOG_DAYS: '7' })).toMatchObject({ dataDir: '/var/lib/quelle', logDays: 7 });
    expect(loadCoreConfig({ QUELLE_LOG_DAYS: '0' }).logDays).toBe(0);
    for (const bad of ['-1', '2.5', 'forever', '5000']) {
      const error = configError(() => loadCoreConfig({ QUELLE_LOG_DAYS: bad }));
      expect(error.code, bad).toBe(ErrorCode.InvalidConfig);
      expect(error.message, bad).toContain('QUELLE_LOG_DAYS');
    }
  });

  it('reads DATABASE_URL (postgres:// or postgresql://), and refuses another URL without repeating it (it holds a password)', () => {
    expect(loadCoreConfig({ DATABASE_URL: 'postgres://quelle:s3cret@db.example:5432/quelle' }).databaseUrl).toBe('postgres://quelle:s3cret@db.example:5432/quelle');
    expect(loadCoreConfig({ DATABASE_URL: 'postgresql:///quelle?host=/run/postgresql' }).databaseUrl).toBe('postgresql:///quelle?host=/run/postgresql');
    for (const bad of ['mysql://quelle:s3cret@db/quelle', 'quelle:s3cret@db', 'http://quelle:s3cret@db/']) {
      const error = configError(() => loadCoreConfig({ DATABASE_URL: bad }));
      expect(error.code, bad).toBe(ErrorCode.InvalidConfig);
      expect(error.message, bad).toContain('DATABASE_URL must be a PostgreSQL URL such as postgres://');
      expect(error.message, bad).not.toContain('s3cret');
    }
  });

  it('rejects an unknown mode, dtype or log level, and a fusion k below 1 or a negative weight, with INVALID_CONFIG', () => {
    const error = configError(() => loadCoreConfig({ QUELLE_MODE: 'fuzzy', EMBEDDING_DTYPE: 'fp64', LOG_LEVEL: 'loud', QUELLE_RRF_K: '0', QUELLE_RRF_DENSE_WEIGHT: '-1' }));
    expect(error.code).toBe(ErrorCode.InvalidConfig);
    for (const name of ['QUELLE_MODE', 'EMBEDDING_DTYPE', 'LOG_LEVEL', 'QUELLE_RRF_K', 'QUELLE_RRF_DENSE_WEIGHT']) expect(error.message).toContain(name);
  });

  it('resolves EMBEDDING_MODEL_DIR to an absolute path, which wins over EMBEDDING_MODEL', () => {
    const config = loadCoreConfig({ EMBEDDING_MODEL_DIR: 'test/fixtures/tiny-model', EMBEDDING_MODEL: 'intfloat/multilingual-e5-base' });
    expect(config.model.model).toBe(path.resolve('test/fixtures/tiny-model'));
    expect(path.isAbsolute(config.model.model)).toBe(true);
    expect(config.model.local).toBe(true);
    // The directory's name decides the prefixes, not the ignored hub id.
    expect(config.model.queryPrefix).toBe('');
    expect(config.model.passagePrefix).toBe('');
  });

  it('gives e5 models their query/passage prefixes and other models none', () => {
    for (const model of ['intfloat/multilingual-e5-base', 'Xenova/e5-small-v2', 'intfloat/e5-large']) {
      expect(loadCoreConfig({ EMBEDDING_MODEL: model }).model, model).toMatchObject({ model, local: false, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    }
    expect(loadCoreConfig({ EMBEDDING_MODEL_DIR: '/models/multilingual-e5-small' }).model).toMatchObject({
      model: path.resolve('/models/multilingual-e5-small'),
      queryPrefix: 'query: ',
      passagePrefix: 'passage: ',
    });
    for (const model of ['Xenova/all-MiniLM-L6-v2', 'Xenova/bge-m3', 'sentence-transformers/e55-model']) {
      expect(loadCoreConfig({ EMBEDDING_MODEL: model }).model, model).toMatchObject({ model, queryPrefix: '', passagePrefix: '' });
    }
  });
});

describe('loadBotConfig', () => {
  it('needs only a token and has defaults for the rest', () => {
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN })).toEqual({
      ...loadCoreConfig({}),
      token: TOKEN,
      clientId: null,
      guildId: null,
      apiUrl: null,
      moderatorRoleIds: [],
      answerChannelIds: [],
      cooldownSeconds: 5,
      results: 3,
      answerFirstMs: 1000,
      watchSeeds: true,
      feeds: [],
      feedMinutes: 30,
      auditChannelId: null,
      sharding: { manager: false, count: null, ids: null },
    });
  });

  it('reads the watcher, feed and audit settings, and says what is wrong with bad ones', () => {
    const config = loadBotConfig({
      DISCORD_TOKEN: TOKEN,
      QUELLE_WATCH: 'false',
      QUELLE_FEEDS: 'https://a.example/feed.xml, http://b.example/atom\nhttps://c.example/rss',
      QUELLE_FEED_MINUTES: '15',
      QUELLE_AUDIT_CHANNEL_ID: '123456789012345678',
    });
    expect(config).toMatchObject({
      watchSeeds: false,
      feeds: ['https://a.example/feed.xml', 'http://b.example/atom', 'https://c.example/rss'],
      feedMinutes: 15,
      auditChannelId: '123456789012345678',
    });
    const message = configError(() =>
      loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_WATCH: 'maybe', QUELLE_FEEDS: 'ftp://x.example/feed', QUELLE_FEED_MINUTES: '0', QUELLE_AUDIT_CHANNEL_ID: 'audit' }),
    ).message;
    expect(message).toMatch(/QUELLE_WATCH must be true or false/);
    expect(message).toMatch(/QUELLE_FEEDS\.0 must list http\(s\) feed URLs/);
    expect(message).toMatch(/QUELLE_FEED_MINUTES must be at least 1/);
    expect(message).toMatch(/QUELLE_AUDIT_CHANNEL_ID must be a Discord id/);
  });

  it('counts empty strings as unset', () => {
    const config = loadBotConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_CLIENT_ID: '',
      DISCORD_GUILD_ID: ' ',
      DISCORD_API_URL: '',
      MODERATOR_ROLE_IDS: '',
      QUELLE_COOLDOWN_SECONDS: '',
      QUELLE_RESULTS: '',
      QUELLE_ANSWER_FIRST_MS: '',
    });
    expect(config).toMatchObject({ clientId: null, guildId: null, apiUrl: null, moderatorRoleIds: [], cooldownSeconds: 5, results: 3, answerFirstMs: 1000 });
    expect(configError(() => loadBotConfig({ DISCORD_TOKEN: '' })).message).toMatch(/DISCORD_TOKEN is required/);
  });

  it('reports every problem in one INVALID_CONFIG error that names the variables and points at .env.example', () => {
    const bad = {
      DISCORD_API_URL: 'not a url',
      DISCORD_GUILD_ID: 'my-guild',
      MODERATOR_ROLE_IDS: `${ROLE_A}, moderators`,
      QUELLE_COOLDOWN_SECONDS: 'soon',
    };
    for (const [token, tokenProblem] of [
      [undefined, /DISCORD_TOKEN is required/],
      ['too-short', /DISCORD_TOKEN does not look like a bot token/],
    ] as const) {
      const error = configError(() => loadBotConfig({ ...bad, DISCORD_TOKEN: token }));
      expect(error).toBeInstanceOf(QuelleError);
      expect(error.code).toBe('INVALID_CONFIG');
      const lines = error.message.split('\n');
      expect(lines.filter((line) => line.startsWith('  - '))).toHaveLength(5);
      expect(error.message).toMatch(tokenProblem);
      expect(error.message).toMatch(/DISCORD_API_URL must be an http\(s\) URL/);
      expect(error.message).toMatch(/DISCORD_GUILD_ID must be a Discord id/);
      expect(error.message).toMatch(/MODERATOR_ROLE_IDS\.1 must be a Discord id/);
      expect(error.message).toMatch(/QUELLE_COOLDOWN_SECONDS /);
      expect(error.message).toContain('.env.example');
      // The rejected token is never echoed.
      expect(error.message).not.toContain('too-short');
    }
  });

  it('accepts only http(s) URLs for DISCORD_API_URL', () => {
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: 'http://127.0.0.1:3000/api' }).apiUrl).toBe('http://127.0.0.1:3000/api');
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: 'https://discord.com/api' }).apiUrl).toBe('https://discord.com/api');
    // Without a scheme `localhost:3000` parses as a URL of scheme "localhost:", which REST cannot use.
    for (const url of ['localhost:3000', '127.0.0.1:3000', 'ftp://127.0.0.1/api', 'javascript:alert(1)']) {
      expect(configError(() => loadBotConfig({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: url })).message, url).toContain('DISCORD_API_URL');
    }
  });

  it('splits MODERATOR_ROLE_IDS at commas, trimming spaces and skipping empty entries', () => {
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, MODERATOR_ROLE_IDS: ROLE_A }).moderatorRoleIds).toEqual([ROLE_A]);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, MODERATOR_ROLE_IDS: `${ROLE_A},${ROLE_B}` }).moderatorRoleIds).toEqual([ROLE_A, ROLE_B]);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, MODERATOR_ROLE_IDS: ` ${ROLE_A} ,  ${ROLE_B} , ` }).moderatorRoleIds).toEqual([ROLE_A, ROLE_B]);
    expect(configError(() => loadBotConfig({ DISCORD_TOKEN: TOKEN, MODERATOR_ROLE_IDS: '1,2' })).message).toMatch(
      /MODERATOR_ROLE_IDS\.0 must be a Discord id[\s\S]*MODERATOR_ROLE_IDS\.1 must be a Discord id/,
    );
  });

  it('reads QUELLE_ANSWER_CHANNEL_IDS separated by commas or spaces; refuses what is not a channel id, and repeats', () => {
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN }).answerChannelIds).toEqual([]);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_ANSWER_CHANNEL_IDS: ` ${ROLE_A}, ${ROLE_B} ` }).answerChannelIds).toEqual([ROLE_A, ROLE_B]);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_ANSWER_CHANNEL_IDS: `${ROLE_A} ${ROLE_B}` }).answerChannelIds).toEqual([ROLE_A, ROLE_B]);
    expect(configError(() => loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_ANSWER_CHANNEL_IDS: `${ROLE_A},#ask` })).message).toMatch(/QUELLE_ANSWER_CHANNEL_IDS\.1 must be a Discord id/);
    expect(configError(() => loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_ANSWER_CHANNEL_IDS: `${ROLE_A},${ROLE_A}` })).message).toMatch(/QUELLE_ANSWER_CHANNEL_IDS lists a channel twice/);
  });

  it('reads ids and coerces numbers from their text', () => {
    const config = loadBotConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_CLIENT_ID: ROLE_A,
      DISCORD_GUILD_ID: ROLE_B,
      QUELLE_COOLDOWN_SECONDS: ' 10 ',
      QUELLE_RESULTS: '5',
    });
    expect(config).toMatchObject({ clientId: ROLE_A, guildId: ROLE_B, cooldownSeconds: 10, results: 5 });
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_COOLDOWN_SECONDS: '0' }).cooldownSeconds).toBe(0);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_COOLDOWN_SECONDS: '2.5' }).cooldownSeconds).toBe(2.5);
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN, QUELLE_ANSWER_FIRST_MS: '0' }).answerFirstMs).toBe(0);
  });

  it('rejects numbers out of range', () => {
    for (const [name, value] of [
      ['QUELLE_COOLDOWN_SECONDS', '-1'],
      ['QUELLE_COOLDOWN_SECONDS', '3601'],
      ['QUELLE_COOLDOWN_SECONDS', 'Infinity'],
      ['QUELLE_RESULTS', '0'],
      ['QUELLE_RESULTS', '6'],
      ['QUELLE_RESULTS', '2.5'],
      // Discord's deadline is 3 s: waiting longer than 2 s for the answer before deferring risks it.
      ['QUELLE_ANSWER_FIRST_MS', '2001'],
      ['QUELLE_ANSWER_FIRST_MS', '-1'],
    ] as const) {
      const error = configError(() => loadBotConfig({ DISCORD_TOKEN: TOKEN, [name]: value }));
      expect(error.code, `${name}=${value}`).toBe(ErrorCode.InvalidConfig);
      expect(error.message, `${name}=${value}`).toContain(name);
    }
  });

  describe('sharding', () => {
    const sharding = (env: Record<string, string>) => loadBotConfig({ DISCORD_TOKEN: TOKEN, ...env }).sharding;
    const problem = (env: Record<string, string>) => configError(() => sharding(env)).message;

    it('runs a ShardingManager with QUELLE_SHARDS (auto or a count), on every shard or the listed ones', () => {
      expect(sharding({ QUELLE_SHARDS: 'auto' })).toEqual({ manager: true, count: 'auto', ids: null });
      expect(sharding({ QUELLE_SHARDS: '4' })).toEqual({ manager: true, count: 4, ids: null });
      expect(sharding({ QUELLE_SHARDS: '4', DISCORD_SHARD_IDS: '3, 2' })).toEqual({ manager: true, count: 4, ids: [2, 3] });
      expect(sharding({ QUELLE_SHARDS: '4', DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_IDS: '0-1' })).toEqual({ manager: true, count: 4, ids: [0, 1] });
    });

    it('runs a subset of shards in this process with DISCORD_SHARD_IDS and DISCORD_SHARD_COUNT', () => {
      expect(sharding({ DISCORD_SHARD_IDS: '2,3', DISCORD_SHARD_COUNT: '4' })).toEqual({ manager: false, count: 4, ids: [2, 3] });
      expect(sharding({ DISCORD_SHARD_IDS: '0-2', DISCORD_SHARD_COUNT: '6' }).ids).toEqual([0, 1, 2]);
      expect(sharding({ DISCORD_SHARD_COUNT: '2' })).toEqual({ manager: false, count: 2, ids: null });
      expect(sharding({ QUELLE_SHARDS: '', DISCORD_SHARD_IDS: ' ', DISCORD_SHARD_COUNT: '' })).toEqual({ manager: false, count: null, ids: null });
    });

    it('says what to do with settings that cannot work together or are malformed', () => {
      expect(problem({ DISCORD_SHARD_IDS: '0,1' })).toMatch(/DISCORD_SHARD_COUNT is required with DISCORD_SHARD_IDS: set it to the total number of shards across every host/);
      expect(problem({ QUELLE_SHARDS: 'auto', DISCORD_SHARD_IDS: '0' })).toMatch(/QUELLE_SHARDS cannot be auto with DISCORD_SHARD_IDS.*Set QUELLE_SHARDS \(or DISCORD_SHARD_COUNT\) to the total number of shards/);
      expect(problem({ QUELLE_SHARDS: 'auto', DISCORD_SHARD_COUNT: '2' })).toMatch(/QUELLE_SHARDS is auto but DISCORD_SHARD_COUNT is 2: set one of them/);
      expect(problem({ QUELLE_SHARDS: '3', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARD_COUNT is 4 but QUELLE_SHARDS is 3/);
      expect(problem({ DISCORD_SHARD_IDS: '1,4', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARD_IDS lists shard 4, but there are 4 shards: ids run from 0 to 3/);
      expect(problem({ DISCORD_SHARD_IDS: '1,1', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARD_IDS lists a shard twice/);
      expect(problem({ DISCORD_SHARD_IDS: 'eins', DISCORD_SHARD_COUNT: '4' })).toMatch(/DISCORD_SHARD_IDS\S* must list shard ids .*DISCORD_SHARD_IDS=0,1 or 0-1/);
      for (const value of ['0', '-2', '1.5', 'viele']) expect(problem({ QUELLE_SHARDS: value }), value).toMatch(/QUELLE_SHARDS must be auto .* or a whole number of shards of at least 1/);
      for (const value of ['0', '2.5', 'zwei']) expect(problem({ DISCORD_SHARD_COUNT: value }), value).toMatch(/DISCORD_SHARD_COUNT must be a whole number of shards of at least 1/);
    });
  });
});
