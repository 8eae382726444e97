/**
 * Set-up and measurement SQL of the bench (never part of what is measured): the store's migrations,
 * bulk inserts of tasks (`INSERT ... SELECT generate_series`), and `pg_stat_database` snapshots.
 */
import pg from 'pg';

import { silentLogger } from '../lib/core/logger.js';
import { PostgresStore } from '../lib/stores/postgres/index.js';
import { onServer } from './pg-server.js';

/** Creates the store's tables in the database (as the first instance's `init()` would). */
export async function migrate(url: string): Promise<void> {
  const store = new PostgresStore({ connectionString: url, notify: false, logger: silentLogger });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/** How to fill the table. */
export interface BulkTasks {
  /** Slugs are `${prefix}${i}`, i = 1..count. */
  prefix: string;
  kind: string;
  count: number;
  /**
   * SQL expression of `run_at` in terms of `g` (1..count), e.g.
   * `now() - interval '1 minute' + g * interval '1 microsecond'`.
   */
  runAtSql: string;
}

/**
 * Inserts one-time tasks with a `null` payload in one statement, then VACUUM ANALYZE and
 * CHECKPOINT (see `settleTable`).
 */
export async function insertTasks(url: string, tasks: BulkTasks): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(
      `INSERT INTO scheduler_tasks (slug, kind, payload, run_at)
       SELECT $1 || g, $2, 'null'::json, ${tasks.runAtSql}
       FROM generate_series(1, $3::integer) AS g`,
      [tasks.prefix, tasks.kind, tasks.count],
    );
    await settle(client, 'scheduler_tasks');
  });
}

/** Recurring tasks to insert: numbers `from..to`, each with its own cron expression. */
export interface BulkRecurringTasks {
  /** Slugs are `${prefix}${g}`, g = from..to. */
  prefix: string;
  kind: string;
  from: number;
  to: number;
  /** SQL expression (text) of task g's cron expression, read in UTC. */
  expressionSql: string;
  /** SQL expression (timestamptz) of task g's first fire: what `scheduleJob` computes from the trigger. */
  runAtSql: string;
}

/**
 * Inserts recurring tasks as `scheduleJob(slug, kind, { trigger: expression })` writes them: a
 * `null` payload, the stored schedule `{ type: 'cron', expression, timeZone: 'UTC' }`, version 1,
 * not paused, no lease. One statement; no VACUUM (call `settleTable` when the table is complete).
 * Callers prove the rows equal the library's with `taskShape` on a task made by `scheduleJob`.
 */
export async function insertRecurringTasks(url: string, tasks: BulkRecurringTasks): Promise<void> {
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO scheduler_tasks (slug, kind, payload, run_at, schedule)
       SELECT $1 || g, $2, 'null'::json, ${tasks.runAtSql},
              jsonb_build_object('type', 'cron', 'expression', ${tasks.expressionSql}, 'timeZone', 'UTC')
       FROM generate_series($3::integer, $4::integer) AS g`,
      [tasks.prefix, tasks.kind, tasks.from, tasks.to],
    ),
  );
}

/**
 * VACUUM ANALYZE (the planner sees the real size, and no autovacuum starts during the
 * measurement) and CHECKPOINT (no checkpoint of the set-up's writes lands in the measurement).
 */
export async function settleTable(url: string): Promise<void> {
  await withClient(url, (client) => settle(client, 'scheduler_tasks'));
}

/** VACUUM ANALYZE of every table of the database, then CHECKPOINT (a peer's set-up). */
export async function settleDatabase(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  });
}

/**
 * Every column of a task but its slug and its creation/update times, as text: two tasks with the
 * same shape were written alike. `null` when the slug does not exist.
 */
export async function taskShape(url: string, slug: string): Promise<Record<string, string | null> | null> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT kind, payload::text AS payload, payload_bytes::text AS payload_bytes,
              floor(extract(epoch FROM run_at) * 1000)::text AS run_at_ms, version::text AS version,
              retry::text AS retry, result, failed::text AS failed, paused::text AS paused,
              schedule::text AS schedule, locked_by, locked_until::text AS locked_until
       FROM scheduler_tasks WHERE slug = $1`,
      [slug],
    );
    return (rows[0] as Record<string, string | null> | undefined) ?? null;
  });
}

/** Runs one statement of set-up or checking SQL (not measured). */
export async function sql<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(text, values)).rows);
}

async function settle(client: pg.Client, table: string): Promise<void> {
  await client.query(`VACUUM ANALYZE ${table}`);
  await client.query('CHECKPOINT');
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Rows left in the tasks table. */
export async function countTasks(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM scheduler_tasks')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** The counters of one database in `pg_stat_database`. */
export interface DatabaseCounters {
  xactCommit: number;
  xactRollback: number;
  tupReturned: number;
  tupFetched: number;
  at: number;
}

/**
 * Reads the database's counters from the server's maintenance database (so that the reading
 * itself is not counted). `pg_stat_clear_snapshot()` makes each call see fresh figures.
 */
export async function databaseCounters(serverUrl: string, database: string): Promise<DatabaseCounters> {
  return onServer(serverUrl, async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      `SELECT xact_commit, xact_rollback, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = $1`,
      [database],
    );
    const row = rows[0] as Record<string, string>;
    return {
      xactCommit: Number(row.xact_commit),
      xactRollback: Number(row.xact_rollback),
      tupReturned: Number(row.tup_returned),
      tupFetched: Number(row.tup_fetched),
      at: Date.now(),
    };
  });
}

/** One statement's totals in `pg_stat_statements`. */
export interface StatementStats {
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  query: string;
}

/**
 * Resets `pg_stat_statements` (creating the extension in the database if the server preloads it);
 * returns false when it is not available.
 */
export async function resetStatements(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

/** The statements of the database that took the most time since the reset. */
export async function topStatements(url: string, database: string, limit = 8): Promise<StatementStats[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT s.calls, s.total_exec_time, s.mean_exec_time, s.rows, s.query
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = $1
       ORDER BY s.total_exec_time DESC LIMIT $2`,
      [database, limit],
    );
    return rows.map((r: Record<string, unknown>) => ({
      calls: Number(r.calls),
      totalMs: Number(r.total_exec_time),
      meanMs: Number(r.mean_exec_time),
      rows: Number(r.rows),
      query: String(r.query).replace(/\s+/g, ' ').slice(0, 160),
    }));
  } finally {
    await client.end();
  }
}
