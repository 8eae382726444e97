import { MemoryStore, type JobStore } from '../lib/index.js';

/**
 * The store the sample app runs on: `SCHEDULER_STORE=memory` (default), `postgres` (uses `PG_URL`)
 * or `firestore` (uses `FIRESTORE_PROJECT_ID` and, for the emulator, `FIRESTORE_EMULATOR_HOST`).
 * The drivers are loaded only when chosen: they are optional peer dependencies.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<JobStore> {
  const kind = env.SCHEDULER_STORE ?? 'memory';
  switch (kind) {
    case 'memory':
      return new MemoryStore();
    case 'postgres': {
      const { PostgresStore } = await import('../lib/stores/postgres/index.js');
      const connectionString = env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      return new PostgresStore({ connectionString });
    }
    case 'firestore': {
      const [{ Firestore }, { FirestoreStore }] = await Promise.all([
        import('@google-cloud/firestore'),
        import('../lib/stores/firestore/index.js'),
      ]);
      const firestore = new Firestore({ projectId: env.FIRESTORE_PROJECT_ID ?? 'sample-app' });
      return new FirestoreStore({ firestore });
    }
    default:
      throw new Error(`SCHEDULER_STORE must be memory, postgres or firestore, not "${kind}"`);
  }
}
