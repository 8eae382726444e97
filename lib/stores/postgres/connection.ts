import pg from 'pg';

import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';
import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import type { SchedulerLogger } from '../../core/logger.js';
import { NotificationListener, type NotificationListenerOptions } from './listener.js';
import type { PostgresStoreOptions, TypeOrmDataSourceLike } from './options.js';
import type { BoundStatement } from './sql/statement.js';

/** Default of `queryTimeoutMs`. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * Refuses options that are not an object naming exactly one of `pool`, `connectionString` and
 * `dataSource` (checked before any other option).
 */
export function assertOneConnection(options: PostgresStoreOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidStoreOptionError('options', 'pass { pool }, { connectionString } or { dataSource }');
  }
  const given = (['pool', 'connectionString', 'dataSource'] as const).filter(
    (key) => (options as unknown as Record<string, unknown>)[key] !== undefined,
  );
  if (given.length !== 1) {
    throw new InvalidStoreOptionError(
      given.length === 0 ? 'pool' : given.join(' and '),
      'pass exactly one of pool, connectionString and dataSource',
    );
  }
}

/** What the connection needs besides the way to connect. */
export interface ConnectionSettings {
  /** Keeps the prepared statement names of two stores on one pool apart (`PostgresNames.tag`). */
  tag: string;
  /** Use named prepared statements. */
  prepared: boolean;
  logger: SchedulerLogger;
}

/**
 * The store's way to the database: a pool of the application's, one it opens from a connection
 * string (and ends in `close()`), or the pool behind a TypeORM DataSource. Runs bound statements
 * (prepared, bounded by `queryTimeoutMs`), statements in a caller's transaction, and holds the
 * LISTEN connection. After `close()` every statement is refused with `StoreClosedError`.
 */
export class PostgresConnection {
  private pool: pg.Pool | null;
  private readonly ownsPool: boolean;
  private readonly dataSource: TypeOrmDataSourceLike | null;
  private readonly queryTimeoutMs: number;
  private listener: NotificationListener | null = null;
  private isClosed = false;
  /** Statements under way on the store's pool: `close()` lets them end, so no client stays lent. */
  private readonly underWay = new Set<Promise<unknown>>();

  /**
   * @throws InvalidStoreOptionError for an invalid `queryTimeoutMs`, or a `pool`, `connectionString`
   * or `dataSource` that is not one.
   */
  constructor(
    options: PostgresStoreOptions,
    private readonly settings: ConnectionSettings,
  ) {
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    if (!(typeof queryTimeoutMs === 'number' && Number.isFinite(queryTimeoutMs) && queryTimeoutMs >= 0)) {
      throw new InvalidStoreOptionError('queryTimeoutMs', 'must be a number of milliseconds >= 0');
    }
    this.queryTimeoutMs = queryTimeoutMs;

    if ('pool' in options && options.pool !== undefined) {
      if (typeof (options.pool as { query?: unknown }).query !== 'function') {
        throw new InvalidStoreOptionError('pool', 'is not a pg Pool');
      }
      this.pool = options.pool;
      this.ownsPool = false;
      this.dataSource = null;
    } else if ('connectionString' in options && options.connectionString !== undefined) {
      if (typeof options.connectionString !== 'string' || options.connectionString === '') {
        throw new InvalidStoreOptionError('connectionString', 'is not a non-empty string');
      }
      // Idle connections are kept for 5 minutes (pg's default is 10 s): an idle loop polling every few
      // seconds would otherwise pay a new connection (and re-prepare its statements) on every poll.
      this.pool = new pg.Pool({
        keepAlive: true,
        idleTimeoutMillis: 300_000,
        connectionTimeoutMillis: 10_000,
        ...options.poolConfig,
        connectionString: options.connectionString,
      });
      // An idle client that loses its connection emits on the pool; without a listener that would crash the process.
      this.pool.on('error', (error) =>
        this.settings.logger.warn(`PostgreSQL pool: idle connection lost: ${error.message}`),
      );
      this.ownsPool = true;
      this.dataSource = null;
    } else {
      const dataSource = (options as { dataSource: TypeOrmDataSourceLike }).dataSource;
      if (dataSource === null || typeof dataSource !== 'object' || !('driver' in dataSource)) {
        throw new InvalidStoreOptionError('dataSource', 'is not a TypeORM DataSource');
      }
      if (dataSource.options?.type !== 'postgres') {
        throw new InvalidStoreOptionError(
          'dataSource',
          `is of type "${dataSource.options?.type}", not "postgres"`,
        );
      }
      this.pool = null;
      this.ownsPool = false;
      this.dataSource = dataSource;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The pool every statement runs on (for a DataSource, the `pg` pool behind it, once it is initialised). */
  db(): pg.Pool {
    if (this.pool) return this.pool;
    const dataSource = this.dataSource as TypeOrmDataSourceLike;
    if (!dataSource.isInitialized) {
      throw new InvalidStoreOptionError(
        'dataSource',
        'is not initialized: call dataSource.initialize() before store.init() (TypeOrmModule does it before injecting it)',
      );
    }
    const master = (dataSource.driver as { master?: unknown }).master;
    if (master === null || typeof master !== 'object' || typeof (master as pg.Pool).connect !== 'function') {
      throw new InvalidStoreOptionError(
        'dataSource',
        'has no pg pool (driver.master): is it a postgres DataSource?',
      );
    }
    this.pool = master as pg.Pool;
    return this.pool;
  }

  /** Runs a statement on the pool: prepared (`nds_<name>_<tag>`) unless turned off, bounded by `queryTimeoutMs`. */
  async query<R>(statement: BoundStatement): Promise<R[]> {
    if (this.isClosed) throw new StoreClosedError();
    const { name, text, values } = statement;
    const config: pg.QueryConfig & { query_timeout?: number } = this.settings.prepared
      ? { name: `nds_${name}_${this.settings.tag}`, text, values }
      : { text, values };
    if (this.queryTimeoutMs > 0) config.query_timeout = this.queryTimeoutMs;
    const result = await this.tracked(this.db().query(config));
    return result.rows as R[];
  }

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.underWay.add(work);
    const done = (): void => void this.underWay.delete(work);
    work.then(done, done);
    return work;
  }

  /** Runs a statement on a caller's transaction: a `pg` client (result `{ rows }`) or TypeORM (rows). */
  async queryInTransaction<R>(tx: unknown, statement: BoundStatement): Promise<R[]> {
    const run = (tx as { query?: unknown }).query;
    if (typeof run !== 'function') {
      throw new InvalidArgumentError(
        'tx',
        'must be a pg client or a TypeORM EntityManager / QueryRunner inside a transaction (an object with a query method)',
      );
    }
    const result: unknown = await run.call(tx, statement.text, statement.values);
    if (Array.isArray(result)) return result as R[];
    return ((result as { rows?: unknown[] } | null)?.rows ?? []) as R[];
  }

  /**
   * Runs `use` in a transaction on one client of the pool: its statements are prepared and bounded
   * as `query`'s; committed when `use` resolves, rolled back when it throws. `begin` is the simple
   * query that opens it (`BEGIN`, possibly followed by statements without parameters).
   */
  async transaction<T>(
    use: (run: <R>(statement: BoundStatement) => Promise<R[]>) => Promise<T>,
    begin = 'BEGIN',
  ): Promise<T> {
    return this.withClient(async (client) => {
      const run = async <R>(statement: BoundStatement): Promise<R[]> =>
        (await client.query(this.config(statement))).rows as R[];
      await client.query(begin);
      try {
        const result = await use(run);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** A statement as `pg` runs it: named (prepared) unless turned off, with the query timeout. */
  private config(statement: BoundStatement): pg.QueryConfig & { query_timeout?: number } {
    const { name, text, values } = statement;
    const config: pg.QueryConfig & { query_timeout?: number } = this.settings.prepared
      ? { name: `nds_${name}_${this.settings.tag}`, text, values }
      : { text, values };
    if (this.queryTimeoutMs > 0) config.query_timeout = this.queryTimeoutMs;
    return config;
  }

  /** Lends `use` a client of the pool for its own statements (no timeout), and takes it back. */
  async withClient<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.isClosed) throw new StoreClosedError();
    return this.tracked(
      (async () => {
        const client = await this.db().connect();
        try {
          const result = await use(client);
          client.release();
          return result;
        } catch (error) {
          client.release(error instanceof Error ? error : true);
          throw error;
        }
      })(),
    );
  }

  /**
   * Holds a connection of the pool that LISTENs, from now until `close()` (it makes no query while
   * idle). Resolves once the first attempt is over.
   *
   * @throws InvalidStoreOptionError on a pool of fewer than 2 connections.
   */
  listen(options: Omit<NotificationListenerOptions, 'connect' | 'logger'>): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    if (this.listener) return this.listener.start();
    const pool = this.db();
    const max = (pool as { options?: { max?: number } }).options?.max;
    if (typeof max === 'number' && max < 2) {
      // The LISTEN connection is held for good: with a pool of one, every other query would wait forever.
      throw new InvalidStoreOptionError(
        'notify',
        `needs a pool of at least 2 connections (this one has max ${max}): one is held for LISTEN; pass notify: false or a larger pool`,
      );
    }
    this.listener = new NotificationListener({
      ...options,
      connect: () => pool.connect(),
      logger: this.settings.logger,
    });
    return this.listener.start();
  }

  /** Stops listening and ends the pool if it was opened here (never a pool or DataSource passed in). */
  /** Waits for the statements under way, at most `queryTimeoutMs` (or 30 s when there is none) more. */
  private async settleUnderWay(): Promise<void> {
    if (this.underWay.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.queryTimeoutMs > 0 ? this.queryTimeoutMs : DEFAULT_QUERY_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.underWay]), bound]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.listener?.stop();
    this.listener = null;
    // A claim or settle that the engine stopped waiting for (stop()'s deadline) still holds a client
    // of the pool: let it end (each is bounded by queryTimeoutMs) so that the pool is whole again,
    // whether ours to end or the application's.
    await this.settleUnderWay();
    if (this.ownsPool && this.pool) await this.pool.end();
  }
}
