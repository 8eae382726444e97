import type { StoreTask } from '../../../core/job.js';
import {
  claim,
  future,
  KIND,
  leaseOf,
  LONG_LEASE_MS,
  newTask,
  OTHER_KIND,
  past,
  shuffled,
  slugsOf,
  withoutTimestamps,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** nextRun, lock, and claim exclusivity across concurrent claimers. */
export function claimCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('nextRun', () => {
    it('is null for an empty store, no kinds, or a kind with no tasks', async () => {
      expect(await ctx.store.nextRun([KIND])).toBeNull();
      await ctx.store.create(newTask('t1'));
      expect(await ctx.store.nextRun([])).toBeNull();
      expect(await ctx.store.nextRun(['no-such-kind'])).toBeNull();
    });

    it('is the earliest runAt over the kinds asked for, due or not', async () => {
      await ctx.store.create(newTask('late', { runAt: past(30) }));
      await ctx.store.create(newTask('early', { runAt: past(10) }));
      await ctx.store.create(newTask('later', { runAt: future(5) }));
      await ctx.store.create(newTask('other', { kind: OTHER_KIND, runAt: past(1) }));

      expect(await ctx.store.nextRun([KIND])).toEqual(past(10));
      expect(await ctx.store.nextRun([KIND, OTHER_KIND])).toEqual(past(1));
      expect(await ctx.store.nextRun([OTHER_KIND, 'no-such-kind'])).toEqual(past(1));

      await ctx.store.delete('late');
      await ctx.store.delete('early');
      expect(await ctx.store.nextRun([KIND])).toEqual(future(5));
    });

    it('ignores paused and failed tasks', async () => {
      await ctx.store.create(newTask('paused', { runAt: past(1), paused: true }));
      await ctx.store.create(newTask('failed', { runAt: past(2) }));
      await ctx.store.update('failed', { failed: true });
      expect(await ctx.store.nextRun([KIND])).toBeNull();

      await ctx.store.create(newTask('plain', { runAt: past(3) }));
      expect(await ctx.store.nextRun([KIND])).toEqual(past(3));
    });

    it('counts a leased task from the end of its lease', async () => {
      await ctx.store.create(newTask('busy', { runAt: past(1) }));
      await ctx.store.create(newTask('waiting', { runAt: future(1) }));
      const [held] = await claim(ctx.store, 'owner-a');
      expect(held.slug).toBe('busy');
      expect(await ctx.store.nextRun([KIND])).toEqual(held.lockedUntil);

      await ctx.store.create(newTask('due', { runAt: past(5) }));
      expect(await ctx.store.nextRun([KIND])).toEqual(past(5));

      await ctx.store.delete('due');
      await ctx.store.release('owner-a', [leaseOf(held)]);
      expect(await ctx.store.nextRun([KIND])).toEqual(past(1));
    });
  });

  describe('claim', () => {
    it('claims due tasks only', async () => {
      await ctx.store.create(newTask('due', { runAt: past(1) }));
      await ctx.store.create(newTask('not-due', { runAt: future(1) }));
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['due']);
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
    });

    it('hands tasks out in runAt order, up to the limit', async () => {
      const slugs = ['t0', 't1', 't2', 't3', 't4'];
      for (const slug of shuffled(slugs)) {
        await ctx.store.create(newTask(slug, { runAt: past(Number(slug.slice(1))) }));
      }
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 3 }))).toEqual(['t0', 't1', 't2']);
      expect(slugsOf(await claim(ctx.store, 'owner-b', { limit: 3 }))).toEqual(['t3', 't4']);
      expect(await claim(ctx.store, 'owner-c', { limit: 3 })).toEqual([]);
    });

    it('claims only the kinds asked for, merged in runAt order; no kinds claims nothing', async () => {
      await ctx.store.create(newTask('a1', { runAt: past(1) }));
      await ctx.store.create(newTask('b2', { kind: OTHER_KIND, runAt: past(2) }));
      await ctx.store.create(newTask('a3', { runAt: past(3) }));
      await ctx.store.create(newTask('c0', { kind: 'third-kind', runAt: past(0) }));

      expect(await claim(ctx.store, 'owner-a', { kinds: [] })).toEqual([]);
      expect(await claim(ctx.store, 'owner-a', { kinds: ['no-such-kind'] })).toEqual([]);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: [KIND, OTHER_KIND], limit: 2 }))).toEqual([
        'a1',
        'b2',
      ]);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: [OTHER_KIND, KIND] }))).toEqual(['a3']);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: ['third-kind'] }))).toEqual(['c0']);
    });

    it('sets lockedBy and lockedUntil, increments the version, and returns the whole task', async () => {
      const created = await ctx.store.create(
        newTask('job', { payload: { n: 1 }, schedule: { type: 'interval', everyMs: 1000 }, runAt: past(7) }),
      );
      const [task] = await claim(ctx.store, 'owner-a');
      expect(withoutTimestamps(task)).toEqual({
        slug: 'job',
        kind: KIND,
        payload: { n: 1 },
        runAt: past(7),
        version: 2,
        priority: 0,
        incarnation: created.incarnation,
        retry: 0,
        result: null,
        failed: false,
        paused: false,
        schedule: { type: 'interval', everyMs: 1000 },
        lockedBy: 'owner-a',
        lockedUntil: task.lockedUntil,
      });
      expect(task.lockedUntil).toBeInstanceOf(Date);
      expect(withoutTimestamps(await ctx.store.get('job'))).toEqual(withoutTimestamps(task));
    });

    it('does not hand a leased task out again while the lease lives, to anyone', async () => {
      await ctx.store.create(newTask('once'));
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['once']);
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
    });

    it('never claims paused or failed tasks', async () => {
      await ctx.store.create(newTask('paused', { paused: true }));
      await ctx.store.create(newTask('failed'));
      await ctx.store.update('failed', { failed: true });
      await ctx.store.create(newTask('gave-up'));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: past(0), retry: 3, result: 'boom', failed: true },
      ]);
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);

      await ctx.store.update('paused', { paused: false });
      expect(slugsOf(await claim(ctx.store, 'owner-b'))).toEqual(['paused']);
    });

    it('hands each of 50 due tasks to exactly one of 8 concurrent claimers', async () => {
      const all = Array.from({ length: 50 }, (_, i) => `task-${String(i).padStart(2, '0')}`);
      await Promise.all(all.map((slug, i) => ctx.store.create(newTask(slug, { runAt: past(i) }))));
      const claimers = await ctx.stores(8);

      const claimed: StoreTask[] = [];
      for (let round = 0; round < 50; round += 1) {
        const batches = await Promise.all(
          claimers.map((store, i) => claim(store, `owner-${i}`, { limit: 4, leaseMs: LONG_LEASE_MS })),
        );
        const got = batches.flat();
        if (got.length === 0) break;
        claimed.push(...got);
      }

      expect(slugsOf(claimed).sort()).toEqual(all);
      for (const task of claimed) {
        const stored = await ctx.store.get(task.slug);
        expect({ lockedBy: stored?.lockedBy, version: stored?.version }).toEqual({
          lockedBy: task.lockedBy,
          version: task.version,
        });
      }
    });
  });
}
