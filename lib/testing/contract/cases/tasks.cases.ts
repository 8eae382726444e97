import { claim, KIND, leaseOf, newTask, past, shuffled, slugsOf } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** delete, getSlugs and clear. */
export function taskCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('delete, getSlugs and clear', () => {
    it('deletes a task and says whether it existed', async () => {
      await ctx.store.create(newTask('job'));
      expect(await ctx.store.delete('job')).toBe(true);
      expect(await ctx.store.get('job')).toBeNull();
      expect(await ctx.store.delete('job')).toBe(false);
      expect(await ctx.store.delete('never-existed')).toBe(false);
    });

    it('deletes a leased task and fences its owner', async () => {
      await ctx.store.create(newTask('busy'));
      const [held] = await claim(ctx.store, 'owner-a');
      expect(await ctx.store.delete('busy')).toBe(true);
      expect(await ctx.store.extendLease('owner-a', [leaseOf(held)], 60_000)).toEqual([]);
      expect(await ctx.store.nextRun([KIND])).toBeNull();
    });

    it('lets a deleted slug be created again', async () => {
      await ctx.store.create(newTask('again', { payload: 1 }));
      await ctx.store.delete('again');
      const created = await ctx.store.create(newTask('again', { payload: 2 }));
      expect(created.version).toBeGreaterThanOrEqual(1);
      expect((await ctx.store.get('again'))?.payload).toBe(2);
      expect(await ctx.store.getSlugs()).toEqual(['again']);
    });

    it('lists every slug in slug order', async () => {
      expect(await ctx.store.getSlugs()).toEqual([]);
      for (const slug of shuffled(['job-c', 'job-a2', 'job-b', 'job-a']))
        await ctx.store.create(newTask(slug));
      expect(await ctx.store.getSlugs()).toEqual(['job-a', 'job-a2', 'job-b', 'job-c']);
    });

    it('clears every task and its history, and stays usable', async () => {
      await ctx.store.create(newTask('a'));
      await ctx.store.create(newTask('b', { paused: true }));
      await claim(ctx.store, 'owner-a');
      await ctx.store.appendHistory([
        {
          slug: 'a',
          kind: KIND,
          scheduledAt: past(0),
          startedAt: past(1),
          finishedAt: past(2),
          outcome: 'succeeded',
          error: null,
          attempt: 1,
          instanceId: 'owner-a',
        },
      ]);

      await ctx.store.clear();
      expect(await ctx.store.getSlugs()).toEqual([]);
      expect(await ctx.store.get('a')).toBeNull();
      expect(await ctx.store.nextRun([KIND])).toBeNull();
      expect(await ctx.store.getHistory('a', 10)).toEqual([]);

      await ctx.store.create(newTask('a'));
      expect(slugsOf(await claim(ctx.store, 'owner-b'))).toEqual(['a']);
    });
  });
}
