import type { Firestore } from '@google-cloud/firestore';

import type { Clock } from '../../core/clock.js';
import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';
import type { SchedulerLogger } from '../../core/logger.js';

/** Options of {@link FirestoreStore}. */
export interface FirestoreStoreOptions {
  /** The client to use. The store never closes it. */
  firestore: Firestore;
  /** The collection (id or path) holding one document per task. Default `schedules`. */
  collection?: string;
  /** The collection holding execution history. Default `${collection}_history`. */
  historyCollection?: string;
  /** The collection holding the instance registry (one document per running scheduler). Default `${collection}_instances`. */
  instancesCollection?: string;
  /**
   * Where "now" comes from for due times and leases. Firestore queries cannot compare with the
   * server's clock, so every instance's clock must agree to well within a lease (see docs/firestore.md).
   * Default: the system clock.
   */
  clock?: Clock;
  /** Where the store logs documents it cannot read. Default: the console. */
  logger?: SchedulerLogger;
}

/** The paths of the store's three collections. */
export interface CollectionPaths {
  tasks: string;
  history: string;
  instances: string;
  /** `${tasks}_limits`: one document per limited kind (see `claim-limits.ts` of the store). */
  limits: string;
}

/**
 * Checks the options and names the collections (defaults derived from `collection`).
 *
 * @throws InvalidStoreOptionError for a missing client, a path that is not a collection's, or two
 * collections that are one.
 */
export function resolveCollections(options: FirestoreStoreOptions): CollectionPaths {
  if (!options?.firestore || typeof options.firestore.collection !== 'function') {
    throw new InvalidStoreOptionError(
      'firestore',
      'must be a Firestore instance from @google-cloud/firestore',
    );
  }
  const tasks = options.collection ?? 'schedules';
  assertCollectionPath('collection', tasks);
  const history = options.historyCollection ?? `${tasks}_history`;
  assertCollectionPath('historyCollection', history);
  if (history === tasks) {
    throw new InvalidStoreOptionError('historyCollection', 'must differ from collection');
  }
  const instances = options.instancesCollection ?? `${tasks}_instances`;
  assertCollectionPath('instancesCollection', instances);
  if (instances === tasks || instances === history) {
    throw new InvalidStoreOptionError(
      'instancesCollection',
      'must differ from collection and historyCollection',
    );
  }
  // One small document per kind with cluster-wide limits (its live leases and recent starts).
  return { tasks, history, instances, limits: `${tasks}_limits` };
}

function assertCollectionPath(option: string, path: string): void {
  const segments = typeof path === 'string' ? path.split('/') : [];
  const valid =
    segments.length % 2 === 1 &&
    segments.every((s) => s.length > 0 && s !== '.' && s !== '..' && !/^__.*__$/s.test(s));
  if (!valid) {
    throw new InvalidStoreOptionError(option, `"${String(path)}" is not a Firestore collection id or path`);
  }
}
