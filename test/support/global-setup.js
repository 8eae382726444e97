/**
 * Runs once before all test files (Jest `globalSetup`). Plain JavaScript: Jest does not compile the
 * modules a global setup imports, so every piece it imports is a `.js` file too.
 *
 * It builds `dist/` (multi-process tests start plain Node children on the compiled library) and
 * starts the servers that store tests share (each test file still uses its own database, schema or
 * collection). Each entry returns its teardown; environment variables it sets (PG_URL,
 * FIRESTORE_EMULATOR_HOST) reach the test workers, which Jest starts afterwards.
 */
import { buildLibraryOnce } from './build-library.js';
import { setupFirestoreEmulator } from './firestore-global.js';
import { setupPostgres } from './postgres-global.js';

/** @type {Array<() => Promise<() => Promise<void>>>} */
const setups = [buildLibraryOnce, setupPostgres, setupFirestoreEmulator];

export default async function globalSetup() {
  const teardowns = [];
  for (const setup of setups) teardowns.push(await setup());
  globalThis.__schedulerTeardowns = teardowns;
}
