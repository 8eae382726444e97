/**
 * Proves the strict Firestore emulator (test/support/strict-emulator) that the Firestore store
 * tests run on: transactions isolate, preconditions hold, commits are all-or-nothing, null filters
 * filter. The same scenarios run against @firestore-emulator/server 0.3.15 as shipped ("raw"),
 * started here, and show the faults the strict harness exists to fix; should a new version of the
 * package fix them, the raw expectations fail and tell us so.
 */
import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { FieldValue } from '@google-cloud/firestore';

import { runContended } from '../../lib/stores/firestore/contention.js';
import {
  createTestFirestore,
  startFirestoreEmulator,
  uniqueCollection,
  type RunningFirestoreEmulator,
} from '../support/firestore-emulator.js';

const CLAIMERS = 10;
const INCREMENTS = 20;

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}

/** 10 transactions each read one document and claim it if unclaimed; returns who won and what losers saw. */
async function claimRace(db: Firestore, col: CollectionReference) {
  const ref = col.doc('job');
  await ref.set({ owner: null });
  let attempts = 0;
  const outcomes = await Promise.all(
    Array.from({ length: CLAIMERS }, (_, i) =>
      db.runTransaction(
        async (tx) => {
          attempts += 1;
          const snap = await tx.get(ref);
          const owner = snap.get('owner') as string | null;
          if (owner !== null) return { won: false, sawOwner: owner };
          tx.update(ref, { owner: `claimer-${i}` });
          return { won: true, sawOwner: null };
        },
        { maxAttempts: 20 },
      ),
    ),
  );
  const stored = (await ref.get()).get('owner') as string;
  return { winners: outcomes.filter((o) => o.won).length, outcomes, stored, attempts };
}

/** 20 concurrent read-modify-write increments of one counter; returns the final value. */
async function counterRace(db: Firestore, col: CollectionReference, retries: number): Promise<number> {
  const ref = col.doc('counter');
  await ref.set({ n: 0 });
  await Promise.all(
    Array.from({ length: INCREMENTS }, () =>
      runContended(db, retries, async (tx) => {
        const snap = await tx.get(ref);
        tx.update(ref, { n: (snap.get('n') as number) + 1 });
      }),
    ),
  );
  return (await ref.get()).get('n') as number;
}

/** An update conditional on an updateTime the document no longer has. */
async function staleUpdateTime(col: CollectionReference) {
  const ref = col.doc('stale');
  await ref.set({ v: 1 });
  const seen = await ref.get();
  await ref.update({ v: 2 });
  let code: unknown = null;
  try {
    await ref.update({ v: 3 }, { lastUpdateTime: seen.updateTime });
  } catch (err) {
    code = codeOf(err);
  }
  return { code, stored: (await ref.get()).get('v') as number };
}

/** A batch whose second write (create of an existing document) fails. */
async function batchWithFailingWrite(db: Firestore, col: CollectionReference) {
  await col.doc('existing').set({ v: 1 });
  const batch = db.batch();
  batch.set(col.doc('fresh'), { v: 1 });
  batch.create(col.doc('existing'), { v: 2 });
  batch.update(col.doc('existing'), { touched: true });
  let code: unknown = null;
  try {
    await batch.commit();
  } catch (err) {
    code = codeOf(err);
  }
  const existing = (await col.doc('existing').get()).data();
  return { code, freshExists: (await col.doc('fresh').get()).exists, existing };
}

/** `where(field, '==', null)`: only the document whose field is null should match. */
async function nullFilter(col: CollectionReference): Promise<string[]> {
  await col.doc('is-null').set({ f: null });
  await col.doc('is-set').set({ f: 1 });
  await col.doc('lacks').set({ g: 1 });
  const snap = await col.where('f', '==', null).get();
  return snap.docs.map((d) => d.id).sort();
}

describe('the strict Firestore emulator (what the store tests run on)', () => {
  let db: Firestore;
  let col: CollectionReference;

  beforeAll(() => {
    db = createTestFirestore();
  });
  beforeEach(() => {
    col = db.collection(uniqueCollection('harness'));
  });
  afterAll(async () => {
    await db.terminate();
  });

  it('lets exactly one of 10 concurrent claim transactions win; the others, retried, see its claim', async () => {
    const race = await claimRace(db, col);
    expect(race.winners).toBe(1);
    const winner = race.outcomes.findIndex((o) => o.won);
    expect(race.stored).toBe(`claimer-${winner}`);
    for (const outcome of race.outcomes.filter((o) => !o.won)) expect(outcome.sawOwner).toBe(race.stored);
  });

  it('loses no update of 20 concurrent read-modify-write increments', async () => {
    expect(await counterRace(db, col, 50)).toBe(INCREMENTS);
  });

  it('refuses an update whose updateTime precondition is stale (FAILED_PRECONDITION)', async () => {
    expect(await staleUpdateTime(col)).toEqual({ code: 9, stored: 2 });
  });

  it('applies none of the writes of a batch when one of them fails', async () => {
    expect(await batchWithFailingWrite(db, col)).toEqual({ code: 6, freshExists: false, existing: { v: 1 } });
  });

  it('filters on == null', async () => {
    expect(await nullFilter(col)).toEqual(['is-null']);
    const both = await col.where('f', '==', null).where('g', '==', 1).get();
    expect(both.size).toBe(0);
  });

  it('aborts a transaction whose document read changed before it committed', async () => {
    const ref = col.doc('doc');
    await ref.set({ v: 1 });
    const attempt = db.runTransaction(
      async (tx) => {
        const snap = await tx.get(ref);
        await ref.update({ v: 10 });
        tx.update(ref, { v: (snap.get('v') as number) + 1 });
      },
      { maxAttempts: 1 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 10 });
    expect((await ref.get()).get('v')).toBe(10);
  });

  it('aborts a transaction whose query result changed (an update, or a new matching document)', async () => {
    await col.doc('a').set({ kind: 'k', at: 1 });
    const changedMember = db.runTransaction(
      async (tx) => {
        const snap = await tx.get(col.where('kind', '==', 'k').orderBy('at').limit(1));
        await col.doc('a').update({ at: 0 });
        tx.update(snap.docs[0].ref, { owner: 'x' });
      },
      { maxAttempts: 1 },
    );
    await expect(changedMember).rejects.toMatchObject({ code: 10 });

    const phantom = db.runTransaction(
      async (tx) => {
        const snap = await tx.get(col.where('kind', '==', 'other'));
        await col.doc('b').set({ kind: 'other', at: 2 });
        tx.set(col.doc('summary'), { count: snap.size });
      },
      { maxAttempts: 1 },
    );
    await expect(phantom).rejects.toMatchObject({ code: 10 });
    expect((await col.doc('summary').get()).exists).toBe(false);
  });

  it('replaces a document on set, deletes fields on FieldValue.delete(), and orders by field only documents that have it', async () => {
    const ref = col.doc('doc');
    await ref.set({ a: 1, b: 2 });
    await ref.set({ c: 3 });
    expect((await ref.get()).data()).toEqual({ c: 3 });
    await ref.update({ c: FieldValue.delete(), d: 4 });
    expect((await ref.get()).data()).toEqual({ d: 4 });

    await col.doc('with-d').set({ d: 1 });
    const ordered = await col.orderBy('d').get();
    expect(ordered.docs.map((d) => d.id)).toEqual(['with-d', 'doc']);
    await col.doc('without-d').set({ e: 1 });
    expect((await col.orderBy('d').get()).size).toBe(2);
  });

  it('refuses what it does not implement instead of ignoring it (offset, cursors), and more than 30 `in` values', async () => {
    await col.doc('a').set({ n: 1 });
    const tooMany = Array.from({ length: 31 }, (_, i) => i);
    // Side by side: the client re-sends a query that failed before any answer, twice, with pauses.
    await Promise.all([
      expect(col.orderBy('n').offset(1).get()).rejects.toMatchObject({ code: 12 }),
      expect(col.orderBy('n').startAfter(0).get()).rejects.toMatchObject({ code: 12 }),
      expect(col.where('n', 'in', tooMany).get()).rejects.toMatchObject({ code: 3 }),
    ]);
    expect((await col.where('n', 'in', tooMany.slice(0, 30)).get()).size).toBe(1);
  });
});

describe('@firestore-emulator/server 0.3.15 as shipped (why the strict harness exists)', () => {
  let raw: RunningFirestoreEmulator;
  let db: Firestore;
  let col: CollectionReference;

  beforeAll(async () => {
    raw = await startFirestoreEmulator({ raw: true });
    db = createTestFirestore({ host: raw.host });
  });
  beforeEach(() => {
    col = db.collection(uniqueCollection('raw'));
  });
  afterAll(async () => {
    await db?.terminate();
    await raw?.stop();
  });

  it('lets more than one of 10 concurrent claim transactions win', async () => {
    const race = await claimRace(db, col);
    expect(race.winners).toBeGreaterThan(1);
  });

  it('loses updates of concurrent read-modify-write increments', async () => {
    expect(await counterRace(db, col, 1)).toBeLessThan(INCREMENTS);
  });

  it('ignores a stale updateTime precondition', async () => {
    expect(await staleUpdateTime(col)).toEqual({ code: null, stored: 3 });
  });

  it('keeps the writes of a batch that come before a failing one', async () => {
    const result = await batchWithFailingWrite(db, col);
    expect(result.code).toBe(6);
    expect(result.freshExists).toBe(true);
  });

  it('ignores an == null filter', async () => {
    expect(await nullFilter(col)).toEqual(['is-null', 'is-set', 'lacks']);
  });

  it('merges on set, ignores FieldValue.delete() and offset, and orders by a field documents that lack it', async () => {
    const ref = col.doc('doc');
    await ref.set({ a: 1, b: 2 });
    await ref.set({ c: 3 });
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2, c: 3 });
    await ref.update({ c: FieldValue.delete() });
    expect((await ref.get()).get('c')).toBe(3);
    await col.doc('other').set({ e: 1 });
    expect((await col.orderBy('a').get()).size).toBe(2);
    expect((await col.offset(1).get()).size).toBe(2);
  });
});
