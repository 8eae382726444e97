import { VirtualClock } from '../../lib/core/clock.js';
import {
  InvalidArgumentError,
  InvalidPayloadError,
  InvalidStoreOptionError,
} from '../../lib/core/errors/index.js';
import type { HistoryRecord, NewTask } from '../../lib/core/store/job-store.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { describeJobStoreContract } from '../../lib/testing/contract/job-store.contract.js';
import { describeMemoryStoreModelCheck } from './memory-store.model.js';

describeJobStoreContract('MemoryStore', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  return {
    store,
    advance: async (ms) => clock.advanceBy(ms),
    // One process, one store object: another "instance" shares it.
    peer: async () => store,
    cleanup: async () => store.close(),
  };
});

const KIND = 'memory-kind';
const START = Date.UTC(2030, 0, 1);

function task(slug: string, runAt: number, overrides: Partial<NewTask> = {}): NewTask {
  return { slug, kind: KIND, payload: null, runAt: new Date(runAt), schedule: null, ...overrides };
}

function historyRecord(slug: string, finishedAt: number): HistoryRecord {
  return {
    slug,
    kind: KIND,
    scheduledAt: new Date(finishedAt - 2),
    startedAt: new Date(finishedAt - 1),
    finishedAt: new Date(finishedAt),
    outcome: 'succeeded',
    error: null,
    attempt: 1,
    instanceId: 'i',
  };
}

describe('MemoryStore', () => {
  let clock: VirtualClock;
  let store: MemoryStore;

  beforeEach(() => {
    clock = new VirtualClock(START);
    store = new MemoryStore({ clock });
  });

  describe('time, from its clock', () => {
    it('stamps createdAt, updatedAt and lockedUntil from the clock', async () => {
      const created = await store.create(task('a', START));
      expect(created.createdAt).toEqual(new Date(START));
      clock.advanceBy(1000);
      const [held] = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 5000, limit: 1 });
      expect(held.lockedUntil).toEqual(new Date(START + 6000));
      expect(held.updatedAt).toEqual(new Date(START + 1000));
      expect(held.createdAt).toEqual(new Date(START));
    });

    it('claims a task at its runAt exactly, not a millisecond before', async () => {
      await store.create(task('a', START + 1000));
      clock.advanceBy(999);
      expect(await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 100, limit: 1 })).toEqual([]);
      clock.advanceBy(1);
      expect(await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 100, limit: 1 })).toHaveLength(1);
    });

    it('frees a lease at lockedUntil exactly, which is what nextRun says', async () => {
      await store.create(task('a', START));
      const [held] = await store.claim({ kinds: [KIND], owner: 'o1', leaseMs: 500, limit: 1 });
      expect(await store.nextRun([KIND])).toEqual(held.lockedUntil);
      clock.advanceBy(499);
      expect(await store.claim({ kinds: [KIND], owner: 'o2', leaseMs: 500, limit: 1 })).toEqual([]);
      clock.advanceBy(1);
      expect(await store.claim({ kinds: [KIND], owner: 'o2', leaseMs: 500, limit: 1 })).toHaveLength(1);
    });

    it('counts a leased task from its runAt when that is later than the lease', async () => {
      await store.create(task('a', START));
      await store.claim({ kinds: [KIND], owner: 'o1', leaseMs: 500, limit: 1 });
      await store.update('a', { runAt: new Date(START + 10_000) });
      expect(await store.nextRun([KIND])).toEqual(new Date(START + 10_000));
      clock.advanceBy(600);
      expect(await store.claim({ kinds: [KIND], owner: 'o2', leaseMs: 500, limit: 1 })).toEqual([]);
      clock.advanceBy(10_000);
      expect(await store.claim({ kinds: [KIND], owner: 'o2', leaseMs: 500, limit: 1 })).toHaveLength(1);
    });

    it('uses the system clock by default', async () => {
      const real = new MemoryStore();
      const before = Date.now();
      const created = await real.create(task('a', before));
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(await real.claim({ kinds: [KIND], owner: 'o', leaseMs: 1000, limit: 1 })).toHaveLength(1);
    });
  });

  describe('input checks', () => {
    it('refuses what it cannot do or keep', async () => {
      await expect(store.create(task('a', START), { tx: {} })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.create(task('a', Number.NaN))).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        store.create(task('a', START, { payload: { at: new Date() } as never })),
      ).rejects.toBeInstanceOf(InvalidPayloadError);
      await expect(store.claim({ kinds: [KIND], owner: 'o', leaseMs: 0, limit: 1 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.list({ limit: 1001 })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await store.getSlugs()).toEqual([]);

      await store.create(task('b', START));
      await expect(store.update('b', { payload: [undefined] as never })).rejects.toBeInstanceOf(
        InvalidPayloadError,
      );
      await expect(store.update('b', { runAt: new Date(Number.NaN) })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect((await store.get('b'))?.version).toBe(1);
    });

    it('refuses a settle batch with an invalid runAt before applying any of it', async () => {
      await store.create(task('a', START));
      await store.create(task('b', START - 1));
      const [b, a] = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 1000, limit: 2 });
      await expect(
        store.settle('o', [
          { slug: a.slug, version: a.version, type: 'delete' },
          {
            slug: b.slug,
            version: b.version,
            type: 'reschedule',
            runAt: new Date('x'),
            retry: 0,
            result: null,
            failed: false,
          },
        ]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await store.getSlugs()).toEqual(['a', 'b']);
    });

    it('refuses an invalid history limit', () => {
      expect(() => new MemoryStore({ historyLimit: -1 })).toThrow(InvalidStoreOptionError);
      expect(() => new MemoryStore({ historyLimit: 1.5 })).toThrow(InvalidStoreOptionError);
    });
  });

  describe('onWake', () => {
    it('calls listeners synchronously with when the task becomes claimable, and survives a throwing one', async () => {
      const heard: number[] = [];
      store.onWake(() => {
        throw new Error('listener bug');
      });
      const stop = store.onWake((runAt) => heard.push(runAt.getTime()));

      await store.create(task('a', START + 5));
      expect(heard).toEqual([START + 5]);
      await store.create(task('paused', START + 6, { paused: true }));
      expect(heard).toEqual([START + 5]);
      await store.setPausedByKind(KIND, false);
      expect(heard).toEqual([START + 5, START + 6]);

      stop();
      await store.create(task('b', START + 7));
      expect(heard).toEqual([START + 5, START + 6]);
    });

    it('wakes on release, with the runAt, since the task is claimable again', async () => {
      await store.create(task('a', START - 100));
      const [held] = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 1000, limit: 1 });
      const heard: number[] = [];
      store.onWake((runAt) => heard.push(runAt.getTime()));
      await store.release('o', [{ slug: held.slug, version: held.version }]);
      expect(heard).toEqual([START - 100]);
    });

    it('lets the same function subscribe twice and unsubscribe each subscription on its own', async () => {
      let calls = 0;
      const listener = (): void => {
        calls += 1;
      };
      const stopFirst = store.onWake(listener);
      store.onWake(listener);
      stopFirst();
      await store.create(task('a', START));
      expect(calls).toBe(1);
    });
  });

  describe('history ring', () => {
    it('keeps only the newest records up to its size', async () => {
      const small = new MemoryStore({ clock, historyLimit: 3 });
      await small.appendHistory([1, 2, 3, 4, 5].map((t) => historyRecord('job', START + t)));
      await small.appendHistory([historyRecord('job', START + 6)]);
      expect((await small.getHistory('job', 10)).map((r) => r.finishedAt.getTime() - START)).toEqual([
        6, 5, 4,
      ]);
      expect(await small.pruneHistory(new Date(START + 5))).toBe(1);
      await small.appendHistory([historyRecord('job', START + 7), historyRecord('job', START + 8)]);
      expect((await small.getHistory('job', 10)).map((r) => r.finishedAt.getTime() - START)).toEqual([
        8, 7, 6,
      ]);
    });

    it('keeps nothing with a size of 0', async () => {
      const none = new MemoryStore({ clock, historyLimit: 0 });
      await none.appendHistory([historyRecord('job', START)]);
      expect(await none.getHistory('job', 10)).toEqual([]);
      expect(await none.pruneHistory(new Date(START + 1))).toBe(0);
    });

    it('does not share records or dates with the caller', async () => {
      const record = historyRecord('job', START);
      await store.appendHistory([record]);
      record.finishedAt.setTime(0);
      record.error = 'changed';
      const [read] = await store.getHistory('job', 1);
      expect(read.finishedAt.getTime()).toBe(START);
      expect(read.error).toBeNull();
      read.startedAt.setTime(0);
      expect((await store.getHistory('job', 1))[0].startedAt.getTime()).toBe(START - 1);
    });
  });

  describe('with 1,000,000 tasks queued', () => {
    const COUNT = 1_000_000;
    // A stride coprime with COUNT visits every offset once, so creation order is scrambled and runAts are distinct.
    const STRIDE = 7919;
    const BASE = START - 10 * COUNT;

    it('claims the earliest tasks first, keeps kinds apart, and sees its size', async () => {
      // In bulk: one heap build per chunk (createMany).
      for (let from = 0; from < COUNT; from += 100_000) {
        const chunk = Array.from({ length: 100_000 }, (_, k) => from + k);
        await store.createMany(chunk.map((i) => task(`t${i}`, BASE + ((i * STRIDE) % COUNT) * 10)));
      }
      await store.create(task('other', BASE + 5, { kind: 'other-kind' }));
      await store.create(task('later', START + 60_000));
      expect(store.size).toBe(COUNT + 2);
      expect(await store.nextRun([KIND])).toEqual(new Date(BASE));

      const offsetsOf = (tasks: { runAt: Date }[]): number[] =>
        tasks.map((t) => (t.runAt.getTime() - BASE) / 10);
      const first = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 60_000, limit: 100 });
      expect(offsetsOf(first)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(await store.nextRun([KIND])).toEqual(new Date(BASE + 100 * 10));

      const other = await store.claim({ kinds: ['other-kind'], owner: 'o', leaseMs: 60_000, limit: 100 });
      expect(other.map((t) => t.slug)).toEqual(['other']);

      const settled = await store.settle(
        'o',
        first.map((t) => ({ slug: t.slug, version: t.version, type: 'delete' as const })),
      );
      expect(settled.applied).toHaveLength(100);
      const second = await store.claim({ kinds: [KIND], owner: 'o2', leaseMs: 60_000, limit: 100 });
      expect(offsetsOf(second)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));

      const page = await store.list({ limit: 3, cursor: 't99999' });
      expect(page.tasks.map((t) => t.slug)).toEqual(['t999990', 't999991', 't999992']);
    });
  });
});

describeMemoryStoreModelCheck();
