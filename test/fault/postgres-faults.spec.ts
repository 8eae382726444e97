/**
 * The fault suite on PostgreSQL: two worker processes (dist/, `--unhandled-rejections=strict`) on one
 * table, each through its own TCP proxy, while random operations go through a driver scheduler:
 * connections reset and stalled, workers SIGKILLed and stopped mid-stall, hostile jobs. After each
 * run the invariants of issue #9 are checked (support/invariants.ts).
 */
import { propertyTimeoutMs, runConfig } from './support/fault-config.js';
import { killAllFaultWorkers } from './support/fault-workers.js';
import { assertProcessProperty } from './support/process-property.js';
import { PROCESS_PROFILE } from './support/profiles.js';
import { postgresBackend } from './support/store-backends.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();

const config = runConfig({
  fixedSeed: 9_002,
  runs: 4,
  chaosRuns: 100,
  shrinkInTests: false,
  shrinkSteps: 30,
});

describe('fault suite: PostgreSQL, worker processes behind fault proxies', () => {
  afterAll(killAllFaultWorkers);

  it(
    `loses no task, runs nothing twice outside a lost lease, no worker dies (seed ${config.seed}, ${config.runs} runs})`,
    async () => {
      await assertProcessProperty({
        suite: 'postgres',
        label: 'postgres (2 workers through proxies)',
        backend: postgresBackend(() => db.url),
        profile: PROCESS_PROFILE,
        config,
      });
    },
    propertyTimeoutMs(900_000),
  );
});
