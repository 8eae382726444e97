/**
 * FirestoreStore on the strict emulator that the global setup starts (test/support/strict-emulator):
 * the shared store contract, then what is Firestore's own (document ids, caller transactions,
 * kinds beyond one `in` filter, the shipped index definitions).
 *
 * Each test uses collections of its own. Store time is a VirtualClock shared by the store and its
 * peers: Firestore leases run on the instances' clocks, never the server's, so moving that clock is
 * exactly what passing time means to the store.
 */
import { readFileSync } from 'node:fs';

import type { Firestore } from '@google-cloud/firestore';

import { VirtualClock } from '../../lib/core/clock.js';
import {
  InvalidArgumentError,
  InvalidStoreOptionError,
  JobAlreadyScheduledError,
  StoreClosedError,
} from '../../lib/core/errors/index.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { decodeDocumentId, encodeDocumentId, FirestoreStore } from '../../lib/stores/firestore/index.js';
import type { JobStore, NewTask } from '../../lib/core/store/job-store.js';
import { describeJobStoreContract } from '../../lib/testing/contract/job-store.contract.js';
import { createTestFirestore, uniqueCollection } from '../support/firestore-emulator.js';

let shared: Firestore | undefined;
function sharedFirestore(): Firestore {
  shared ??= createTestFirestore();
  return shared;
}

afterAll(async () => {
  await shared?.terminate();
});

describeJobStoreContract('FirestoreStore', async () => {
  const clock = new VirtualClock();
  const collection = uniqueCollection('contract');
  const store = new FirestoreStore({ firestore: sharedFirestore(), collection, clock });
  await store.init();
  const peerClients: Firestore[] = [];
  return {
    store,
    advance: async (ms) => clock.advanceBy(ms),
    // Another instance: its own client (own connection) on the same collection and the same clock.
    async peer(): Promise<JobStore> {
      const firestore = createTestFirestore();
      peerClients.push(firestore);
      const peer = new FirestoreStore({ firestore, collection, clock });
      await peer.init();
      return peer;
    },
    async cleanup() {
      await store.close();
      await Promise.all(peerClients.map((client) => client.terminate()));
    },
  };
});

const KIND = 'fs-kind';
const PAST = Date.UTC(2001, 0, 1);

function task(slug: string, overrides: Partial<NewTask> = {}): NewTask {
  return { slug, kind: KIND, payload: null, runAt: new Date(PAST), schedule: null, ...overrides };
}

describe('FirestoreStore specifics', () => {
  let clock: VirtualClock;
  let store: FirestoreStore;
  let collection: string;

  beforeEach(() => {
    clock = new VirtualClock();
    collection = uniqueCollection('specifics');
    store = new FirestoreStore({ firestore: sharedFirestore(), collection, clock, logger: silentLogger });
  });

  it('refuses every call after close(), and a scheduler start() on it, with StoreClosedError', async () => {
    const scheduler = new StdScheduler(store, { logger: silentLogger, clock });
    await scheduler.start();
    await scheduler.stop();
    await store.close();
    await expect(scheduler.start()).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.get('x')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.create(task('x'))).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('marks a document it cannot read as a task failed, with the reason, instead of failing every claim', async () => {
    const firestore = sharedFirestore();
    await store.create(task('readable'));
    await store.create(task('mangled'));
    // A hand edit (or a foreign writer) leaves a field of the wrong type.
    await firestore.collection(collection).doc('mangled').update({ retry: 'three' });
    const claimed = await store.claim({ kinds: [KIND], owner: 'a', leaseMs: 1000, limit: 10 });
    expect(claimed.map((t) => t.slug)).toEqual(['readable']);
    const snap = await firestore.collection(collection).doc('mangled').get();
    expect(snap.get('failed')).toBe(true);
    expect(snap.get('availableAt')).toBeNull();
    expect(snap.get('result')).toContain('"retry" is not a number');
    expect(await store.claim({ kinds: [KIND], owner: 'a', leaseMs: 1000, limit: 10 })).toEqual([]);
  });

  describe('document ids', () => {
    const forbidden = ['a/b', '.', '..', '__name__', '~starts-with-tilde'];

    it('keeps slugs Firestore accepts as ids verbatim and encodes the others reversibly', () => {
      for (const slug of ['plain', 'tâche-日本語-🚀', 'a.b', '__x', 'x__', ' padded ']) {
        expect(encodeDocumentId(slug)).toBe(slug);
      }
      for (const slug of forbidden) {
        const id = encodeDocumentId(slug);
        expect(id).not.toBe(slug);
        expect(id.startsWith('~')).toBe(true);
        expect(id.includes('/')).toBe(false);
        expect(Buffer.byteLength(id, 'utf8')).toBeLessThanOrEqual(1500);
        expect(decodeDocumentId(id)).toBe(slug);
      }
    });

    it('fits the longest slug that needs encoding (1024 UTF-8 bytes) in a document id, and reads it back', async () => {
      const longest = '/'.repeat(1024);
      const id = encodeDocumentId(longest);
      expect(Buffer.byteLength(id, 'utf8')).toBeLessThanOrEqual(1500);
      expect(decodeDocumentId(id)).toBe(longest);
      await store.create(task(longest));
      expect((await store.get(longest))?.slug).toBe(longest);
      expect(await store.getSlugs()).toEqual([longest]);
      const [held] = await store.claim({ kinds: [KIND], owner: 'a', leaseMs: 1000, limit: 5 });
      expect(held.slug).toBe(longest);
    });

    it('stores a result or error cut in the middle of a surrogate pair with U+FFFD instead of failing', async () => {
      const slug = 'cut-text';
      await store.create(task(slug, { payload: 'x' }));
      const [held] = await store.claim({ kinds: [KIND], owner: 'a', leaseMs: 1000, limit: 1 });
      const result = 'cut \uD83D';
      await store.settle('a', [
        {
          slug,
          version: held.version,
          type: 'reschedule',
          runAt: new Date(PAST),
          retry: 1,
          result,
          failed: false,
        },
      ]);
      expect((await store.get(slug))?.result).toBe('cut \uFFFD');
      await store.appendHistory([
        {
          slug,
          kind: KIND,
          scheduledAt: new Date(PAST),
          startedAt: new Date(PAST),
          finishedAt: new Date(PAST),
          outcome: 'failed',
          error: result,
          attempt: 1,
          instanceId: 'a',
        },
      ]);
      expect(await store.getHistory(slug, 5)).toMatchObject([{ slug, error: 'cut \uFFFD' }]);
    });

    it('stores the slug as given and the task fields by name', async () => {
      const firestore = sharedFirestore();
      await store.create(task('a/b', { payload: { n: 1 }, schedule: { type: 'interval', everyMs: 500 } }));
      const snap = await firestore.collection(collection).doc(encodeDocumentId('a/b')).get();
      expect(snap.get('slug')).toBe('a/b');
      expect(snap.get('payload')).toBe('{"n":1}');
      expect(snap.get('availableAt').toDate()).toEqual(new Date(PAST));
      expect(snap.get('leased')).toBe(false);
      expect(snap.get('schedule')).toEqual({ type: 'interval', everyMs: 500 });
    });
  });

  describe('claims', () => {
    it('claims and wakes for more kinds than one Firestore `in` filter takes (30)', async () => {
      const kinds = Array.from({ length: 65 }, (_, i) => `kind-${i}`);
      await store.create(task('late', { kind: 'kind-64', runAt: new Date(PAST + 2000) }));
      await store.create(task('early', { kind: 'kind-3', runAt: new Date(PAST + 1000) }));
      await store.create(task('middle', { kind: 'kind-40', runAt: new Date(PAST + 1500) }));
      expect(await store.nextRun(kinds)).toEqual(new Date(PAST + 1000));
      const held = await store.claim({ kinds, owner: 'a', leaseMs: 1000, limit: 2 });
      expect(held.map((t) => t.slug)).toEqual(['early', 'middle']);
    });

    it('keeps availableAt in step with the lease, the pause and the failure', async () => {
      const docs = sharedFirestore().collection(collection);
      const availableAt = async (slug: string): Promise<number | null> =>
        ((await docs.doc(slug).get()).get('availableAt') as { toMillis(): number } | null)?.toMillis() ??
        null;

      await store.create(task('t'));
      const [held] = await store.claim({ kinds: [KIND], owner: 'a', leaseMs: 5000, limit: 1 });
      expect(await availableAt('t')).toBe(held.lockedUntil?.getTime());
      await store.update('t', { paused: true });
      expect(await availableAt('t')).toBeNull();
      await store.update('t', { paused: false });
      expect(await availableAt('t')).toBe(held.lockedUntil?.getTime());
      await store.release('a', [{ slug: 't', version: held.version }]);
      expect(await availableAt('t')).toBe(PAST);
      await store.update('t', { failed: true });
      expect(await availableAt('t')).toBeNull();
    });
  });

  describe('caller transactions', () => {
    it('creates a task inside a Firestore transaction of the caller, visible once it commits', async () => {
      const firestore = sharedFirestore();
      const orders = firestore.collection(uniqueCollection('orders'));
      await firestore.runTransaction(async (tx) => {
        tx.set(orders.doc('o-1'), { total: 10 });
        await store.create(task('invoice-o-1', { payload: { order: 'o-1' } }), { tx });
      });
      expect((await store.get('invoice-o-1'))?.payload).toEqual({ order: 'o-1' });
      expect((await orders.doc('o-1').get()).exists).toBe(true);
    });

    it('writes nothing when the caller transaction fails, and the commit fails on a taken slug', async () => {
      const firestore = sharedFirestore();
      await expect(
        firestore.runTransaction(async (tx) => {
          await store.create(task('never'), { tx });
          throw new Error('caller gave up');
        }),
      ).rejects.toThrow('caller gave up');
      expect(await store.get('never')).toBeNull();

      await store.create(task('taken'));
      const batch = firestore.batch();
      await store.create(task('taken'), { tx: batch });
      await expect(batch.commit()).rejects.toMatchObject({ code: 6 });
    });

    it('refuses a tx that is not a Firestore write context, and replace inside one', async () => {
      await expect(store.create(task('x'), { tx: {} })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        store.create(task('x'), { tx: sharedFirestore().batch(), replace: true }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('options', () => {
    it('refuses invalid collection names and a missing client', () => {
      const firestore = sharedFirestore();
      for (const collection of ['', 'a/b', '__x__', '.', 'a//b']) {
        expect(() => new FirestoreStore({ firestore, collection })).toThrow(InvalidStoreOptionError);
      }
      expect(() => new FirestoreStore({ firestore, collection: 'c', historyCollection: 'c' })).toThrow(
        InvalidStoreOptionError,
      );
      expect(() => new FirestoreStore({ firestore: undefined as unknown as Firestore })).toThrow(
        InvalidStoreOptionError,
      );
    });

    it('accepts a subcollection path and keeps history beside it', async () => {
      const path = `tenants/${uniqueCollection('t')}/schedules`;
      const nested = new FirestoreStore({ firestore: sharedFirestore(), collection: path, clock });
      await nested.create(task('n'));
      await expect(nested.create(task('n'))).rejects.toBeInstanceOf(JobAlreadyScheduledError);
      const finishedAt = new Date(PAST + 5);
      await nested.appendHistory([
        {
          slug: 'n',
          kind: KIND,
          scheduledAt: new Date(PAST),
          startedAt: new Date(PAST + 1),
          finishedAt,
          outcome: 'succeeded',
          error: null,
          attempt: 1,
          instanceId: 'i',
        },
      ]);
      expect((await sharedFirestore().collection(`${path}_history`).get()).size).toBe(1);
      await nested.clear();
      expect(await nested.getSlugs()).toEqual([]);
      expect(await nested.getHistory('n', 10)).toEqual([]);
    });
  });

  describe('firestore.indexes.json', () => {
    interface IndexField {
      fieldPath: string;
      order?: 'ASCENDING' | 'DESCENDING';
    }
    const file = JSON.parse(
      readFileSync(new URL('../../firestore.indexes.json', import.meta.url), 'utf8'),
    ) as {
      indexes: Array<{ collectionGroup: string; queryScope: string; fields: IndexField[] }>;
    };
    const defined = (group: string): string[] =>
      file.indexes
        .filter((i) => i.collectionGroup === group && i.queryScope === 'COLLECTION')
        .map((i) => i.fields.map((f) => `${f.fieldPath}:${f.order}`).join(','));

    it('defines the composite indexes the task queries need', () => {
      expect(defined('schedules')).toEqual(
        expect.arrayContaining([
          'kind:ASCENDING,availableAt:ASCENDING',
          'kind:ASCENDING,leased:ASCENDING,availableAt:ASCENDING',
          'kind:ASCENDING,leased:ASCENDING,priority:DESCENDING,availableAt:ASCENDING',
          'kind:ASCENDING,slug:ASCENDING',
          'paused:ASCENDING,slug:ASCENDING',
          'failed:ASCENDING,paused:ASCENDING,slug:ASCENDING',
          'leased:ASCENDING,slug:ASCENDING',
          'kind:ASCENDING,paused:ASCENDING,slug:ASCENDING',
          'kind:ASCENDING,failed:ASCENDING,paused:ASCENDING,slug:ASCENDING',
          'kind:ASCENDING,leased:ASCENDING,slug:ASCENDING',
        ]),
      );
    });

    it("defines the composite indexes of the history queries (a slug's records; run counts per kind)", () => {
      expect(defined('schedules_history')).toEqual([
        'slug:ASCENDING,finishedAt:DESCENDING,appendSeq:DESCENDING',
        'kind:ASCENDING,outcome:ASCENDING,finishedAt:ASCENDING',
      ]);
    });
  });
});
