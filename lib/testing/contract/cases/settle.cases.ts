import { claim, future, KIND, leaseOf, newTask, past, slugsOf, withoutTimestamps } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** settle (reschedule, delete, fencing) and release. */
export function settleCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('settle', () => {
    it('reschedules: writes runAt, retry, result, failed and payload, and clears the lease', async () => {
      const created = await ctx.store.create(
        newTask('job', { payload: { step: 1 }, schedule: { type: 'interval', everyMs: 1000 } }),
      );
      const [held] = await claim(ctx.store, 'owner-a');

      const result = await ctx.store.settle('owner-a', [
        {
          ...leaseOf(held),
          type: 'reschedule',
          runAt: past(60),
          retry: 2,
          result: 'timeout',
          failed: false,
          payload: { step: 2 },
        },
      ]);
      expect(result).toEqual({ applied: ['job'], rejected: [] });

      const stored = await ctx.store.get('job');
      expect(withoutTimestamps(stored)).toEqual({
        slug: 'job',
        kind: KIND,
        payload: { step: 2 },
        runAt: past(60),
        version: stored?.version,
        priority: 0,
        incarnation: created.incarnation,
        retry: 2,
        result: 'timeout',
        failed: false,
        paused: false,
        schedule: { type: 'interval', everyMs: 1000 },
        lockedBy: null,
        lockedUntil: null,
      });
      expect(stored?.version).toBeGreaterThanOrEqual(held.version);

      const [again] = await claim(ctx.store, 'owner-b');
      expect(again.slug).toBe('job');
      expect(again.version).toBeGreaterThan(held.version);
    });

    it('keeps the payload when the outcome carries none', async () => {
      await ctx.store.create(newTask('job', { payload: ['keep', 'me'] }));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: future(1), retry: 0, result: 'done', failed: false },
      ]);
      const stored = await ctx.store.get('job');
      expect(stored?.payload).toEqual(['keep', 'me']);
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
      expect(await ctx.store.nextRun([KIND])).toEqual(future(1));
    });

    it('keeps a task that failed for good, unclaimable and out of nextRun', async () => {
      await ctx.store.create(newTask('doomed'));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: past(0), retry: 5, result: 'boom', failed: true },
      ]);
      expect(await ctx.store.get('doomed')).toMatchObject({
        failed: true,
        retry: 5,
        result: 'boom',
        lockedBy: null,
      });
      expect(await ctx.store.nextRun([KIND])).toBeNull();
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);
    });

    it('deletes', async () => {
      await ctx.store.create(newTask('one-time'));
      const [held] = await claim(ctx.store, 'owner-a');
      expect(await ctx.store.settle('owner-a', [{ ...leaseOf(held), type: 'delete' }])).toEqual({
        applied: ['one-time'],
        rejected: [],
      });
      expect(await ctx.store.get('one-time')).toBeNull();
      expect(await ctx.store.getSlugs()).toEqual([]);
    });

    it('rejects a stale owner or version and changes nothing', async () => {
      await ctx.store.create(newTask('job', { payload: 'original' }));
      const [held] = await claim(ctx.store, 'owner-a');
      const before = await ctx.store.get('job');

      const result = await ctx.store.settle('owner-b', [
        {
          ...leaseOf(held),
          type: 'reschedule',
          runAt: past(9),
          retry: 1,
          result: 'x',
          failed: true,
          payload: 'y',
        },
      ]);
      expect(result).toEqual({ applied: [], rejected: ['job'] });
      expect(
        await ctx.store.settle('owner-a', [{ slug: 'job', version: held.version - 1, type: 'delete' }]),
      ).toEqual({ applied: [], rejected: ['job'] });
      expect(withoutTimestamps(await ctx.store.get('job'))).toEqual(withoutTimestamps(before));
    });

    it('rejects, without throwing, an outcome for a task deleted meanwhile, and does not bring it back', async () => {
      await ctx.store.create(newTask('gone'));
      await ctx.store.create(newTask('kept', { runAt: past(1) }));
      const [gone, kept] = await claim(ctx.store, 'owner-a');
      expect(await ctx.store.delete('gone')).toBe(true);

      const result = await ctx.store.settle('owner-a', [
        { ...leaseOf(gone), type: 'reschedule', runAt: past(5), retry: 0, result: null, failed: false },
        { ...leaseOf(kept), type: 'reschedule', runAt: past(6), retry: 0, result: null, failed: false },
      ]);
      expect(result).toEqual({ applied: ['kept'], rejected: ['gone'] });
      expect(await ctx.store.get('gone')).toBeNull();
      expect(await ctx.store.getSlugs()).toEqual(['kept']);
    });

    it('accepts an empty batch', async () => {
      expect(await ctx.store.settle('owner-a', [])).toEqual({ applied: [], rejected: [] });
    });
  });

  describe('release', () => {
    it('makes the task claimable at once with its runAt unchanged', async () => {
      await ctx.store.create(newTask('job', { runAt: past(3) }));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.release('owner-a', [leaseOf(held)]);

      expect(await ctx.store.get('job')).toMatchObject({
        runAt: past(3),
        lockedBy: null,
        lockedUntil: null,
        retry: 0,
      });
      const [again] = await claim(ctx.store, 'owner-b');
      expect(again.slug).toBe('job');
      expect(again.runAt).toEqual(past(3));
    });

    it('ignores a stale owner', async () => {
      await ctx.store.create(newTask('job'));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.release('owner-b', [leaseOf(held)]);
      expect((await ctx.store.get('job'))?.lockedBy).toBe('owner-a');
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);
    });

    it('ends the ownership: a later settle by the releasing owner is rejected', async () => {
      await ctx.store.create(newTask('job'));
      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.release('owner-a', [leaseOf(held)]);
      expect(await ctx.store.settle('owner-a', [{ ...leaseOf(held), type: 'delete' }])).toEqual({
        applied: [],
        rejected: ['job'],
      });
      expect(slugsOf(await claim(ctx.store, 'owner-b'))).toEqual(['job']);
    });
  });
}
