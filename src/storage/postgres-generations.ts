import { open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describeError } from '../errors.ts';
import { IndexLockedError, type LockHolder } from '../index/build-lock.ts';
import type { DeploymentBuildLock, IndexDistribution, PublicationWatch, PublishedFileReader, PublishedGeneration } from '../index/generation-distribution.ts';
import { MANIFEST_FILE, manifestSchema } from '../index/manifest.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Migration } from './migrations.ts';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCKS, applyPostgresMigrations, connectionConfig, createPool, databaseError, describeDatabaseUrl } from './postgres.ts';

/**
 * Index generations published in PostgreSQL, for hosts that do not share the index folder
 * (see src/index/generation-distribution.ts). A generation is a row with its manifest and its
 * files in chunks of bytea, all inserted in one transaction with the NOTIFY that announces it:
 * a publish that is killed, or loses its connection, rolls back whole, so no host ever sees part
 * of one. The build lock is a session advisory lock on the publishing connection: the server
 * releases it when that connection ends, however the holder died.
 */

export const INDEX_DISTRIBUTION_COMPONENT = 'index-distribution';

/** The channel of NOTIFY; its payload is the generation's name. */
export const PUBLISHED_CHANNEL = 'quelle_index_published';

/**
 * Bytes per stored chunk: large enough that a gigabyte of vectors is a thousand rows, small
 * enough that a chunk in memory (as a parameter and as a result) costs nothing noticeable.
 */
const CHUNK_BYTES = 1024 * 1024;

/** Published generations kept: the newest, and the one before it for hosts still fetching it. */
const KEEP_PUBLISHED = 2;

/** Waits between attempts to reconnect a lost LISTEN connection. */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'published index generations and their files in chunks',
    statements: [
      `CREATE TABLE quelle_index_generations (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        manifest TEXT NOT NULL,
        published_at BIGINT NOT NULL,
        published_by TEXT NOT NULL
      )`,
      `CREATE TABLE quelle_index_chunks (
        generation_id BIGINT NOT NULL REFERENCES quelle_index_generations (id) ON DELETE CASCADE,
        file TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (generation_id, file, seq)
      )`,
      // Vectors do not compress, and JSON is read back at once: compressing costs the publisher
      // CPU time for little space.
      'ALTER TABLE quelle_index_chunks ALTER COLUMN data SET STORAGE EXTERNAL',
    ],
  },
];

export interface PostgresDistributionOptions {
  readonly url: string;
  readonly logger?: Logger;
  /**
   * Called after each stored chunk of a publish, which waits for it (progress; the tests stop a
   * publish midway there to kill it).
   */
  readonly onPublishProgress?: (file: string, bytes: number) => void | Promise<void>;
}

/** Opens the distribution in the database of `url`, creating its tables when needed. */
export async function openPostgresDistribution(options: PostgresDistributionOptions): Promise<PostgresIndexDistribution> {
  const pool = createPool(options.url, { role: 'index', max: 3, allowExitOnIdle: true });
  try {
    await applyPostgresMigrations(
      { pool, location: describeDatabaseUrl(options.url), component: INDEX_DISTRIBUTION_COMPONENT, tooNewFix: 'run the newer Quelle on every host' },
      MIGRATIONS,
    );
  } catch (error) {
    await pool.end().catch(() => {});
    throw databaseError(options.url, error);
  }
  return new PostgresIndexDistribution(pool, options);
}

/**
 * How this deployment shares its index: through PostgreSQL when DATABASE_URL is set, otherwise
 * not at all (null: the local index folder only).
 */
export async function openIndexDistribution(databaseUrl: string | null, logger?: Logger): Promise<IndexDistribution | null> {
  return databaseUrl ? openPostgresDistribution({ url: databaseUrl, ...(logger ? { logger } : {}) }) : null;
}

/** Who a connection says it is, so that a host waiting for the lock can name its holder. */
function holderName(): string {
  return `index-build ${os.hostname()} ${process.pid}`;
}

export class PostgresIndexDistribution implements IndexDistribution {
  private readonly logger: Logger;
  private readonly watches = new Set<PublicationWatch>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresDistributionOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  async lockBuild(): Promise<DeploymentBuildLock> {
    // Its own connection: the lock lives exactly as long as it.
    const client = new pg.Client(connectionConfig(this.options.url, { role: holderName() }));
    let lost: Error | null = null;
    client.on('error', (error) => {
      lost = error;
      this.logger.warn({ error: describeError(error) }, 'The connection holding the deployment build lock was lost; this build cannot publish');
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [ADVISORY_LOCK_CLASS, ADVISORY_LOCKS.indexBuild]);
      if (!rows[0]?.locked) throw await this.lockedError(client);
    } catch (error) {
      await client.end().catch(() => {});
      throw error instanceof IndexLockedError ? error : databaseError(this.options.url, error);
    }
    let released = false;
    return {
      publish: async (root, name) => {
        if (lost) throw databaseError(this.options.url, lost);
        await this.publish(client, root, name);
      },
      release: async () => {
        if (released) return;
        released = true;
        // Ending the session releases the lock, even when the unlock itself cannot be sent.
        await client.end().catch(() => {});
      },
    };
  }

  /** INDEX_LOCKED naming the holder as its connection names itself (host and process). */
  private async lockedError(client: pg.Client): Promise<IndexLockedError> {
    const { rows } = await client.query<{ application_name: string; backend_start: Date }>(
      `SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [ADVISORY_LOCK_CLASS, ADVISORY_LOCKS.indexBuild],
    );
    const found = /index-build (\S+) (\d+)$/.exec(rows[0]?.application_name ?? '');
    const holder: LockHolder | null = found
      ? { pid: Number(found[2]), hostname: found[1]!, since: rows[0]!.backend_start, heartbeatAt: new Date(), thisProcess: false }
      : null;
    const who = holder ? `process ${holder.pid} on ${holder.hostname}` : 'another process';
    return new IndexLockedError(
      `Another build (${who}) holds the deployment's index build lock in ${describeDatabaseUrl(this.options.url)}. Wait for it to finish; the server releases the lock as soon as that process stops.`,
      `${describeDatabaseUrl(this.options.url)} (advisory lock)`,
      holder,
      // The server frees the lock when the holder's connection ends: at once when its process
      // dies, and for a host gone from the network after TCP keepalive gives up (about 90 s with
      // the settings the README recommends).
      90_000,
    );
  }

  private async publish(client: pg.Client, root: string, name: string): Promise<void> {
    const dir = path.join(root, name);
    const manifestText = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
    const manifest = manifestSchema.parse(JSON.parse(manifestText));
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO quelle_index_generations (name, manifest, published_at, published_by) VALUES ($1, $2, $3, $4)
          ON CONFLICT (name) DO NOTHING RETURNING id`,
        [name, manifestText, Date.now(), `${os.hostname()} ${process.pid}`],
      );
      // Published before (an earlier publish of the same folder): nothing to add.
      if (rows[0] !== undefined) {
        const id = rows[0].id;
        for (const file of Object.keys(manifest.files)) await this.storeFile(client, id, dir, file);
        await client.query(
          `DELETE FROM quelle_index_generations WHERE id NOT IN (SELECT id FROM quelle_index_generations ORDER BY id DESC LIMIT ${KEEP_PUBLISHED})`,
        );
      }
      // Delivered at COMMIT, and only if it commits.
      await client.query('SELECT pg_notify($1, $2)', [PUBLISHED_CHANNEL, name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw databaseError(this.options.url, error);
    }
    this.logger.info({ generation: name, files: Object.keys(manifest.files).length }, 'Index generation published for the other hosts');
  }

  private async storeFile(client: pg.Client, id: number, dir: string, file: string): Promise<void> {
    const handle = await open(path.join(dir, file), 'r');
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let stored = 0;
      for (let seq = 0; ; seq++) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, stored);
        // An empty file is one empty chunk, so that every file has a row.
        if (bytesRead === 0 && seq > 0) break;
        await client.query('INSERT INTO quelle_index_chunks (generation_id, file, seq, data) VALUES ($1, $2, $3, $4)', [id, file, seq, buffer.subarray(0, bytesRead)]);
        stored += bytesRead;
        await this.options.onPublishProgress?.(file, stored);
        if (bytesRead < CHUNK_BYTES) break;
      }
    } finally {
      await handle.close();
    }
  }

  async latest(): Promise<PublishedGeneration | null> {
    try {
      const { rows } = await this.pool.query<{ name: string; manifest: string }>('SELECT name, manifest FROM quelle_index_generations ORDER BY id DESC LIMIT 1');
      return rows[0] ? { name: rows[0].name, manifestText: rows[0].manifest } : null;
    } catch (error) {
      throw databaseError(this.options.url, error);
    }
  }

  async fetch<T>(name: string, read: (published: PublishedGeneration, file: PublishedFileReader) => Promise<T>): Promise<T | null> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // One snapshot: a publish that removes this generation meanwhile does not take it away
      // from under the reader.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ id: number; manifest: string }>('SELECT id, manifest FROM quelle_index_generations WHERE name = $1', [name]);
      const row = rows[0];
      if (!row) return null;
      const file = async function* (fileName: string): AsyncIterable<Buffer> {
        for (let seq = 0; ; seq++) {
          const chunk = await client.query<{ data: Buffer }>('SELECT data FROM quelle_index_chunks WHERE generation_id = $1 AND file = $2 AND seq = $3', [row.id, fileName, seq]);
          if (!chunk.rows[0]) return;
          yield chunk.rows[0].data;
        }
      };
      return await read({ name, manifestText: row.manifest }, file);
    } finally {
      await client.query('ROLLBACK').catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      });
      client.release(broken);
    }
  }

  async watch(onPublished: (name: string | null) => void): Promise<PublicationWatch> {
    let client: pg.Client | null = null;
    let closed = false;
    let retry: NodeJS.Timeout | null = null;
    let wait = RECONNECT_MIN_MS;
    const connect = async (): Promise<void> => {
      const next = new pg.Client(connectionConfig(this.options.url, { role: 'index-watch' }));
      next.on('notification', (message) => {
        if (message.channel === PUBLISHED_CHANNEL && message.payload) onPublished(message.payload);
      });
      next.on('error', (error) => {
        this.logger.warn({ error: describeError(error) }, 'Lost the connection that listens for published index generations; reconnecting');
        void next.end().catch(() => {});
        reconnect();
      });
      await next.connect();
      await next.query(`LISTEN ${PUBLISHED_CHANNEL}`);
      client = next;
    };
    const reconnect = (): void => {
      if (closed || retry) return;
      client = null;
      retry = setTimeout(() => {
        retry = null;
        connect().then(
          () => {
            wait = RECONNECT_MIN_MS;
            // Whatever was published while the connection was down.
            onPublished(null);
          },
          (error: unknown) => {
            this.logger.warn({ error: describeError(error), retryInMs: wait }, 'Cannot listen for published index generations yet');
            wait = Math.min(wait * 2, RECONNECT_MAX_MS);
            reconnect();
          },
        );
      }, wait);
    };
    try {
      await connect();
    } catch (error) {
      throw databaseError(this.options.url, error);
    }
    const watch: PublicationWatch = {
      close: async () => {
        closed = true;
        if (retry) clearTimeout(retry);
        this.watches.delete(watch);
        await (client as pg.Client | null)?.end().catch(() => {});
      },
    };
    this.watches.add(watch);
    return watch;
  }

  async close(): Promise<void> {
    await Promise.all([...this.watches].map((watch) => watch.close()));
    await this.pool.end().catch(() => {});
  }
}

