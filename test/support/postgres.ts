/**
 * One PostgreSQL database per test file, on the server `PG_URL` names (CI's, or the embedded one
 * that postgres-global.js started), so that test files run in parallel without seeing each other.
 *
 * `usePostgresDatabase()` registers the hooks: the database is created before the file's tests and
 * dropped after them. At the end it checks, in the manner of graphile-worker's tests, that nothing
 * leaked: no pool handed out by `db.pool()` still has a client checked out, and no connection other
 * than the checker's is left on the database (a store that did not close its own pool or its LISTEN
 * connection shows up there).
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** A database of the current test file. */
export interface PostgresTestDatabase {
  /** Its name (available once the file's `beforeAll` ran). */
  readonly name: string;
  /** Its connection string. */
  readonly url: string;
  /** A pool on it, ended at the end of the file (or by `endPool`); checked for leaked clients. */
  pool(config?: Omit<pg.PoolConfig, 'connectionString'>): pg.Pool;
  /** Checks a pool from `pool()` for clients still checked out, then ends it. */
  endPool(pool: pg.Pool): Promise<void>;
  /** Runs SQL on the database (through a pool of its own) and returns the rows. */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

/** The server's connection string; fails clearly when neither PG_URL nor the global setup provided one. */
export function postgresServerUrl(): string {
  const url = process.env.PG_URL;
  if (!url) {
    throw new Error(
      'PG_URL is not set: run the tests through `npm test` (its global setup starts an embedded PostgreSQL) or set PG_URL',
    );
  }
  return url;
}

function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates this test file's database before its tests and drops it after them. */
export function usePostgresDatabase(): PostgresTestDatabase {
  let name = '';
  let url = '';
  let admin: pg.Pool | null = null;
  const pools = new Set<pg.Pool>();
  const leaks: string[] = [];

  const checkPool = (pool: pg.Pool): void => {
    const checkedOut = pool.totalCount - pool.idleCount;
    if (checkedOut > 0) leaks.push(`a pool still had ${checkedOut} client(s) checked out`);
  };

  const db: PostgresTestDatabase = {
    get name() {
      return name;
    },
    get url() {
      if (!url) throw new Error('the test database exists only from beforeAll on');
      return url;
    },
    pool(config = {}) {
      const pool = new pg.Pool({ ...config, connectionString: db.url });
      pool.on('error', () => undefined); // a test that kills connections must not crash the worker
      pools.add(pool);
      return pool;
    },
    async endPool(pool) {
      if (!pools.delete(pool)) return;
      checkPool(pool);
      await pool.end();
    },
    async query<R>(text: string, values?: unknown[]) {
      if (!admin) {
        admin = new pg.Pool({ connectionString: db.url, max: 2 });
        admin.on('error', () => undefined);
      }
      const result = await admin.query(text, values);
      return result.rows as R[];
    },
  };

  beforeAll(async () => {
    name = `nds_test_${randomBytes(6).toString('hex')}`;
    await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
    url = databaseUrl(postgresServerUrl(), name);
  });

  afterAll(async () => {
    if (!name) return;
    for (const pool of [...pools]) await db.endPool(pool);
    await (admin as pg.Pool | null)?.end();
    admin = null;
    await onServer(async (client) => {
      // A backend may take a moment to go after its client closed.
      let others: Array<{ application_name: string; state: string | null; query: string }> = [];
      for (let attempt = 0; attempt < 50; attempt += 1) {
        others = (
          await client.query(
            'SELECT application_name, state, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          )
        ).rows;
        if (others.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const other of others) leaks.push(`a connection was left open (${other.state}: ${other.query})`);
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
    if (leaks.length > 0) throw new Error(`PostgreSQL leak check failed:\n- ${leaks.join('\n- ')}`);
  });

  return db;
}

/** Waits real time: a database's clock cannot be advanced. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
