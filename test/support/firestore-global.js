/**
 * Jest global setup for the Firestore tests (plain JavaScript, like global-setup.js, which imports it).
 *
 * Starts the strict Firestore emulator (test/support/strict-emulator) once for the whole run and
 * points the test workers at it: `FIRESTORE_EMULATOR_HOST`, and `METADATA_SERVER_DETECTION=none`
 * so that the Google auth library never probes the cloud metadata server. Each test file uses its
 * own collections, so files run in parallel on the one emulator.
 *
 * With `FIRESTORE_EMULATOR_HOST` already set (say, the official emulator started by hand), that
 * emulator is used and nothing is started.
 */
import { startFirestoreEmulator } from './strict-emulator/launch.mjs';

/**
 * Starts the strict emulator unless `FIRESTORE_EMULATOR_HOST` is set.
 * @returns {Promise<() => Promise<void>>} its teardown.
 */
export async function setupFirestoreEmulator() {
  process.env.METADATA_SERVER_DETECTION = 'none';
  if (process.env.FIRESTORE_EMULATOR_HOST) return async () => undefined;
  const started = Date.now();
  const emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.stderr.write(
    `\n[global-setup] strict Firestore emulator started on ${emulator.host} in ${Date.now() - started} ms\n`,
  );
  return async () => {
    await emulator.stop();
    delete process.env.FIRESTORE_EMULATOR_HOST;
  };
}
