import type {
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
} from '@google-cloud/firestore';

import type { Clock } from '../../core/clock.js';
import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import type { StoreTask } from '../../core/job.js';
import { hasCode } from './contention.js';
import { encodeDocumentId, fromDocument } from './document.js';
import type { CollectionPaths } from './options.js';

const NOT_FOUND = 5;

/** What the parts of the store work with. */
export interface StoreContext {
  firestore: Firestore;
  collections: StoreCollections;
  clock: Clock;
}

/**
 * The store's collections. Every call reaches the data through them, so once `close()` has been
 * called each access throws `StoreClosedError` and a closed store refuses every call.
 */
export class StoreCollections {
  private readonly taskCollection: CollectionReference;
  private readonly historyCollection: CollectionReference;
  private readonly instanceCollection: CollectionReference;
  private readonly limitCollection: CollectionReference;
  private isClosed = false;

  constructor(firestore: Firestore, paths: CollectionPaths) {
    this.taskCollection = firestore.collection(paths.tasks);
    this.historyCollection = firestore.collection(paths.history);
    this.instanceCollection = firestore.collection(paths.instances);
    this.limitCollection = firestore.collection(paths.limits);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): void {
    this.isClosed = true;
  }

  get tasks(): CollectionReference {
    return this.open(this.taskCollection);
  }

  get history(): CollectionReference {
    return this.open(this.historyCollection);
  }

  get instances(): CollectionReference {
    return this.open(this.instanceCollection);
  }

  /** One document per kind with limits: its live leases and recent starts. */
  get limits(): CollectionReference {
    return this.open(this.limitCollection);
  }

  /** The document of a task. */
  taskRef(slug: string): DocumentReference {
    return this.tasks.doc(encodeDocumentId(slug));
  }

  /** The document that keeps the live leases and recent starts of a kind with limits. */
  limitRef(kind: string): DocumentReference {
    return this.limits.doc(encodeDocumentId(kind));
  }

  /** The document of an instance's record. */
  instanceRef(instanceId: string): DocumentReference {
    return this.instances.doc(encodeDocumentId(instanceId));
  }

  private open(collection: CollectionReference): CollectionReference {
    if (this.isClosed) throw new StoreClosedError();
    return collection;
  }
}

/** The task a document holds. @throws TypeError when it is not a task document. */
export function decodeTask(snap: DocumentSnapshot): StoreTask {
  return fromDocument(snap.data() ?? {});
}

/** Deletes a document; false when there was none. */
export async function deleteIfExists(ref: DocumentReference): Promise<boolean> {
  try {
    await ref.delete({ exists: true });
    return true;
  } catch (err) {
    if (hasCode(err, NOT_FOUND)) return false;
    throw err;
  }
}
