/**
 * What the worker-process fault runs need of each real store: where the proxies forward to, a fresh
 * table or collection per run, the driver's own store (a direct connection, no proxy: operations
 * must not fail because of the faults injected into the workers), and how to corrupt a task's stored
 * schedule by hand (a row or a document edited outside the library).
 */
import { randomBytes } from 'node:crypto';

import type { Firestore } from '@google-cloud/firestore';
import pg from 'pg';

import { silentLogger } from '../../../lib/core/logger.js';
import type { JobStore } from '../../../lib/core/store/job-store.js';
import { encodeDocumentId } from '../../../lib/stores/firestore/document.js';
import { FirestoreStore } from '../../../lib/stores/firestore/index.js';
import { PostgresStore } from '../../../lib/stores/postgres/index.js';
import { createTestFirestore, TEST_PROJECT_ID, uniqueCollection } from '../../support/firestore-emulator.js';
import { throughProxy, type ProxyAddress } from '../../support/tcp-proxy.js';
import type { FaultWorkerConfig } from './fault-workers.js';

/** One run's namespace on a store. */
export interface PreparedRun {
  driverStore: JobStore;
  /** The store part of a worker's config, reaching the store through `proxy`. */
  workerStore(proxy: ProxyAddress): Pick<FaultWorkerConfig, 'postgres' | 'firestore'>;
  /** Environment variables of a worker reaching the store through `proxy`. */
  workerEnv(proxy: ProxyAddress): NodeJS.ProcessEnv;
  /** Writes `schedule` into the task if it is idle; false when absent or leased. */
  corrupt(slug: string, schedule: unknown): Promise<boolean>;
  cleanup(): Promise<void>;
}

export interface StoreBackend {
  readonly name: 'postgres' | 'firestore';
  /** Where the proxies forward to. */
  target(): { host: string; port: number };
  prepare(): Promise<PreparedRun>;
  /** Restarts the database (only a server the test owns). */
  restart?(downMs: number): Promise<void>;
}

/** PostgreSQL at `url` (a test file's database, or the owned server's). */
export function postgresBackend(
  url: () => string,
  restart?: (downMs: number) => Promise<void>,
): StoreBackend {
  return {
    name: 'postgres',
    target() {
      const parsed = new URL(url());
      return { host: parsed.hostname, port: Number(parsed.port || 5432) };
    },
    async prepare() {
      const tableName = `fault_${randomBytes(5).toString('hex')}`;
      const driverStore = new PostgresStore({
        connectionString: url(),
        tableName,
        poolConfig: { max: 3 },
        logger: silentLogger,
      });
      await driverStore.init();
      const admin = new pg.Pool({ connectionString: url(), max: 1 });
      admin.on('error', () => undefined);
      return {
        driverStore,
        workerStore: (proxy) => ({ postgres: { url: throughProxy(url(), proxy), tableName } }),
        workerEnv: () => ({}),
        async corrupt(slug, schedule) {
          // A hand edit of the row, as an operator would make it: no version bump, idle tasks only.
          const result = await admin.query(
            `UPDATE ${driverStore.names.tasks} SET schedule = $2::jsonb
             WHERE slug = $1 AND (locked_until IS NULL OR locked_until < now())`,
            [slug, JSON.stringify(schedule)],
          );
          return result.rowCount === 1;
        },
        async cleanup() {
          await driverStore.close();
          await admin.end();
        },
      };
    },
    ...(restart ? { restart } : {}),
  };
}

/** The strict Firestore emulator of the global setup. */
export function firestoreBackend(): StoreBackend {
  return {
    name: 'firestore',
    target() {
      const host = process.env.FIRESTORE_EMULATOR_HOST;
      if (!host) throw new Error('FIRESTORE_EMULATOR_HOST is not set: run through npm test');
      const [hostname, port] = host.split(':');
      return { host: hostname, port: Number(port) };
    },
    async prepare() {
      const collection = uniqueCollection('fault');
      const firestore: Firestore = createTestFirestore();
      const driverStore = new FirestoreStore({ firestore, collection });
      return {
        driverStore,
        workerStore: () => ({ firestore: { projectId: TEST_PROJECT_ID, collection } }),
        workerEnv: (proxy) => ({
          FIRESTORE_EMULATOR_HOST: `${proxy.host}:${proxy.port}`,
          METADATA_SERVER_DETECTION: 'none',
        }),
        async corrupt(slug, schedule) {
          const ref = firestore.collection(collection).doc(encodeDocumentId(slug));
          return firestore.runTransaction(async (tx) => {
            const snapshot = await tx.get(ref);
            if (!snapshot.exists) return false;
            const until = snapshot.get('lockedUntil') as { toDate(): Date } | null | undefined;
            if (until && until.toDate().getTime() > Date.now()) return false;
            tx.update(ref, { schedule });
            return true;
          });
        },
        async cleanup() {
          await firestore.terminate();
        },
      };
    },
  };
}
