/**
 * Firestore helpers for tests. The strict emulator itself is started once per run by the global
 * setup (firestore-global.js), which sets `FIRESTORE_EMULATOR_HOST`; each test file creates its
 * clients here and uses collections of its own.
 */
import { randomBytes } from 'node:crypto';

import { Firestore } from '@google-cloud/firestore';

export { startFirestoreEmulator, type RunningFirestoreEmulator } from './strict-emulator/launch.mjs';

/** The project id tests use: a `demo-` project never reaches a real Firebase project. */
export const TEST_PROJECT_ID = 'demo-nestjs-durable-scheduler';

/**
 * A Firestore client for tests: on the emulator of `FIRESTORE_EMULATOR_HOST`, or on `host` when
 * given (the environment variable overrides a `host` setting, so it is hidden while the client is
 * built). Call `terminate()` when done.
 */
export function createTestFirestore(options: { host?: string } = {}): Firestore {
  if (options.host === undefined) {
    if (!process.env.FIRESTORE_EMULATOR_HOST) {
      throw new Error(
        'FIRESTORE_EMULATOR_HOST is not set: run the tests through `npm test` (its global setup starts the emulator)',
      );
    }
    return new Firestore({ projectId: TEST_PROJECT_ID });
  }
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    return new Firestore({ projectId: TEST_PROJECT_ID, host: options.host, ssl: false });
  } finally {
    if (saved !== undefined) process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

/** A collection name no other test (or test file running in parallel) uses. */
export function uniqueCollection(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
