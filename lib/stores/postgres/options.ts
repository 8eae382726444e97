import type pg from 'pg';

import type { SchedulerLogger } from '../../core/logger.js';

/**
 * The part of a TypeORM `DataSource` the store reads (typed structurally, so that TypeORM stays an
 * optional peer). The store runs on the `pg` pool behind it, so it must be a `postgres` DataSource.
 */
export interface TypeOrmDataSourceLike {
  readonly isInitialized: boolean;
  readonly options: { readonly type: string };
  readonly driver: unknown;
}

/** Options every way of connecting shares. */
export interface PostgresStoreCommonOptions {
  /** Schema of the store's tables. Letters, digits and underscores. Default `public`. */
  schema?: string;
  /**
   * Name of the tasks table (the history and migrations tables are named after it:
   * `<tableName>_history`, `<tableName>_migrations`). Letters, digits and underscores, at most 40
   * characters. Default `scheduler_tasks`.
   */
  tableName?: string;
  /**
   * Run the migrations in `init()`. Default `true`. Set `false` when migrations run at deploy time
   * (`await store.migrate()`, or the shipped SQL files).
   */
  migrate?: boolean;
  /**
   * LISTEN/NOTIFY wake-ups: a task created or rescheduled by any instance wakes the idle ones at
   * once. Holds one connection of the pool while someone listens. Default `true`.
   */
  notify?: boolean;
  /**
   * Use named prepared statements (parsed and planned once per connection). Default `true`; set
   * `false` behind a connection pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
  /** Where the store logs connection trouble of its listener. Default: the console. */
  logger?: SchedulerLogger;
  /**
   * Longest wait for one statement's answer, in ms (pg's `query_timeout`): a connection that stops
   * answering without closing (a stalled network path) fails the statement, and the pool drops that
   * connection, instead of holding the caller forever. Migrations (`migrate()`) and statements run in a
   * caller's transaction (`{ tx }`) are not bounded by it. Default 30000; `0` turns it off.
   */
  queryTimeoutMs?: number;
}

/** Connect through a `pg` pool of the application's: the store never ends it. */
export interface PostgresPoolOptions extends PostgresStoreCommonOptions {
  pool: pg.Pool;
}

/** Connect with a connection string: the store opens its own pool and ends it in `close()`. */
export interface PostgresConnectionStringOptions extends PostgresStoreCommonOptions {
  connectionString: string;
  /**
   * Further settings of the store's own pool (`max`, `ssl`, …). The store's defaults: `keepAlive: true`,
   * `idleTimeoutMillis: 300000` (pg's own default of 10 s would reconnect between two idle polls),
   * `connectionTimeoutMillis: 10000` (a connection attempt that gets no answer fails instead of hanging).
   */
  poolConfig?: Omit<pg.PoolConfig, 'connectionString'>;
}

/**
 * Reuse the connection pool of an initialised TypeORM `postgres` DataSource (for example the one
 * `@nestjs/typeorm` provides). The store never closes it.
 */
export interface PostgresDataSourceOptions extends PostgresStoreCommonOptions {
  dataSource: TypeOrmDataSourceLike;
}

/** Options of `new PostgresStore(...)`: exactly one of `pool`, `connectionString` or `dataSource`. */
export type PostgresStoreOptions =
  PostgresPoolOptions | PostgresConnectionStringOptions | PostgresDataSourceOptions;
