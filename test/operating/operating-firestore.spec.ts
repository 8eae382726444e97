import type { Firestore } from '@google-cloud/firestore';
import { VirtualClock } from '../../lib/core/clock.js';
import { FirestoreStore } from '../../lib/stores/firestore/index.js';
import { createTestFirestore, uniqueCollection } from '../support/firestore-emulator.js';
import { describeOperatingSuite } from '../../lib/testing/operating/operating.suite.js';

/**
 * The operating features on the Firestore emulator. Firestore leases and due times run on the
 * instances' clock, so the store and the schedulers share one virtual clock.
 */
let shared: Firestore | undefined;

afterAll(async () => {
  await shared?.terminate();
});

describeOperatingSuite('FirestoreStore', async () => {
  shared ??= createTestFirestore();
  const clock = new VirtualClock();
  const store = new FirestoreStore({ firestore: shared, collection: uniqueCollection('operating'), clock });
  await store.init();
  return {
    store,
    clock,
    advance: async (ms) => clock.advanceBy(ms),
    cleanup: () => store.close(),
  };
});
