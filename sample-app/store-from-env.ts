import { MemoryStore, type JobStore } from '../lib/index.js';

/** The store the sample app runs on, and words to say where it is when it cannot be reached. */
export interface SampleStore {
  store: JobStore;
  /** Whether it lives elsewhere (a server or a service), so that boot checks that it answers. */
  remote: boolean;
  /** Where it connects: `PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres`. */
  where: string;
  /** What to do when it cannot be reached. */
  hint: string;
}

/**
 * The store the sample app runs on: `SCHEDULER_STORE=memory` (default), `postgres` (uses `PG_URL`)
 * or `firestore` (uses `FIRESTORE_PROJECT_ID` and, for the emulator, `FIRESTORE_EMULATOR_HOST`).
 * The drivers are loaded only when chosen: they are optional peer dependencies.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SampleStore> {
  const kind = env.SCHEDULER_STORE ?? 'memory';
  switch (kind) {
    case 'memory':
      return { store: new MemoryStore(), remote: false, where: 'the memory store', hint: '' };
    case 'postgres': {
      const { PostgresStore } = await import('../lib/stores/postgres/index.js');
      const connectionString = env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      return {
        store: new PostgresStore({ connectionString }),
        remote: true,
        where: `PostgreSQL at ${withoutPassword(connectionString)}`,
        hint: 'Is the server up? Set PG_URL to its connection string (postgres://user:password@host:5432/database).',
      };
    }
    case 'firestore': {
      const [{ Firestore }, { FirestoreStore }] = await Promise.all([
        import('@google-cloud/firestore'),
        import('../lib/stores/firestore/index.js'),
      ]);
      const projectId = env.FIRESTORE_PROJECT_ID ?? 'sample-app';
      const emulator = env.FIRESTORE_EMULATOR_HOST;
      // The emulator needs no credentials: keep the Google auth library from probing the cloud
      // metadata server for them (a wait and a MetadataLookupWarning anywhere but on Google Cloud).
      if (emulator) process.env.METADATA_SERVER_DETECTION ??= 'none';
      return {
        store: new FirestoreStore({ firestore: new Firestore({ projectId }) }),
        remote: true,
        where: emulator
          ? `the Firestore emulator at ${emulator} (FIRESTORE_EMULATOR_HOST, project ${projectId})`
          : `Firestore (project ${projectId}, credentials from the environment)`,
        hint: emulator
          ? 'Start it with `npm run emulator` and set FIRESTORE_EMULATOR_HOST to the host:port it prints.'
          : 'For the emulator, start it with `npm run emulator` and set FIRESTORE_EMULATOR_HOST to the host:port it prints; ' +
            'for Google Cloud, set FIRESTORE_PROJECT_ID and Application Default Credentials.',
      };
    }
    default:
      throw new Error(`SCHEDULER_STORE must be memory, postgres or firestore, not "${kind}"`);
  }
}

/** A connection string fit for a log line. */
function withoutPassword(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the PG_URL given (not a URL)';
  }
}
