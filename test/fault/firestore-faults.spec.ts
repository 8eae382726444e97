/**
 * The fault suite on Firestore (the strict emulator of the global setup): two worker processes
 * (dist/, `--unhandled-rejections=strict`), each reaching the emulator through its own TCP proxy
 * (FIRESTORE_EMULATOR_HOST = the proxy), so their gRPC connections can be reset and stalled; workers
 * SIGKILLed and stopped mid-stall; hostile jobs. After each run the invariants of issue #9 are
 * checked (support/invariants.ts).
 */
import type { CommandProfile } from './support/commands.js';
import { propertyTimeoutMs, runConfig } from './support/fault-config.js';
import { killAllFaultWorkers } from './support/fault-workers.js';
import { assertProcessProperty } from './support/process-property.js';
import { PROCESS_PROFILE } from './support/profiles.js';
import { firestoreBackend } from './support/store-backends.js';

const profile: CommandProfile = { ...PROCESS_PROFILE, slugs: ['f0', 'f1', 'f2'] };
const config = runConfig({
  fixedSeed: 9_003,
  runs: 3,
  chaosRuns: 100,
  shrinkInTests: false,
  shrinkSteps: 30,
});

describe('fault suite: Firestore emulator, worker processes behind fault proxies', () => {
  afterAll(killAllFaultWorkers);

  it(
    `loses no task, runs nothing twice outside a lost lease, no worker dies (seed ${config.seed}, ${config.runs} runs})`,
    async () => {
      await assertProcessProperty({
        suite: 'firestore',
        label: 'firestore (2 workers through proxies)',
        backend: firestoreBackend(),
        profile,
        config,
      });
    },
    propertyTimeoutMs(900_000),
  );
});
