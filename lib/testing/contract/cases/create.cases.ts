import { JobAlreadyScheduledError } from '../../../core/errors/index.js';
import type { StoreTask } from '../../../core/job.js';
import { claim, KIND, leaseOf, newTask, OTHER_KIND, past, withoutTimestamps } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** create, get, duplicate slugs and replace. */
export function createCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('create and get', () => {
    it('reads back every field it wrote, with the defaults the store fills in', async () => {
      const runAt = new Date(past(10).getTime() + 123);
      const created = await ctx.store.create({
        slug: 'report',
        kind: KIND,
        payload: { tenant: 'acme', ids: [1, 2, 3] },
        runAt,
        schedule: { type: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
      });

      expect(withoutTimestamps(created)).toEqual({
        slug: 'report',
        kind: KIND,
        payload: { tenant: 'acme', ids: [1, 2, 3] },
        runAt,
        version: 1,
        priority: 0,
        incarnation: created.incarnation,
        retry: 0,
        result: null,
        failed: false,
        paused: false,
        schedule: { type: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
        lockedBy: null,
        lockedUntil: null,
      });
      expect(typeof created.incarnation).toBe('string');
      expect(created.incarnation).not.toBe('');
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(created.updatedAt).toBeInstanceOf(Date);
      expect(created.updatedAt.getTime()).toBeGreaterThanOrEqual(created.createdAt.getTime());

      const read = await ctx.store.get('report');
      expect(withoutTimestamps(read)).toEqual(withoutTimestamps(created));
      expect(read?.runAt).toBeInstanceOf(Date);
      expect(read?.createdAt).toBeInstanceOf(Date);
      expect(read?.updatedAt).toBeInstanceOf(Date);
    });

    it('keeps an interval schedule and a paused flag', async () => {
      await ctx.store.create(
        newTask('every-30s', { schedule: { type: 'interval', everyMs: 30_000 }, paused: true }),
      );
      const read = await ctx.store.get('every-30s');
      expect(read?.schedule).toEqual({ type: 'interval', everyMs: 30_000 });
      expect(read?.paused).toBe(true);
    });

    it('returns null for an unknown slug', async () => {
      expect(await ctx.store.get('nothing-here')).toBeNull();
    });

    it('refuses a duplicate slug with JobAlreadyScheduledError and keeps the original', async () => {
      await ctx.store.create(newTask('dup', { payload: 'first' }));
      await expect(ctx.store.create(newTask('dup', { payload: 'second' }))).rejects.toBeInstanceOf(
        JobAlreadyScheduledError,
      );
      const read = await ctx.store.get('dup');
      expect(read?.payload).toBe('first');
      expect(read?.version).toBe(1);
    });

    it('lets exactly one of 10 concurrent creators of one slug succeed', async () => {
      const stores = await ctx.stores(10);
      const outcomes = await Promise.allSettled(
        stores.map((store, i) => store.create(newTask('race', { payload: { creator: i } }))),
      );
      const winners = outcomes.filter(
        (o): o is PromiseFulfilledResult<StoreTask> => o.status === 'fulfilled',
      );
      const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(9);
      for (const loser of losers) expect(loser.reason).toBeInstanceOf(JobAlreadyScheduledError);
      expect((await ctx.store.get('race'))?.payload).toEqual(winners[0].value.payload);
      expect(await ctx.store.getSlugs()).toEqual(['race']);
    });
  });

  describe('create with replace', () => {
    it('creates a task that does not exist yet', async () => {
      const created = await ctx.store.create(newTask('fresh'), { replace: true });
      expect(created.version).toBe(1);
      expect((await ctx.store.get('fresh'))?.version).toBe(1);
    });

    it('replaces every field, clears the lease, bumps the version and fences the old owner', async () => {
      const original = await ctx.store.create(newTask('swap', { payload: 'old', runAt: past(1) }));
      await ctx.store.update('swap', { retry: 2, result: 'boom' });
      const [held] = await claim(ctx.store, 'owner-a');

      const replaced = await ctx.store.create(
        {
          slug: 'swap',
          kind: OTHER_KIND,
          payload: 'new',
          runAt: past(2),
          schedule: { type: 'interval', everyMs: 5000 },
        },
        { replace: true },
      );
      expect(replaced.version).toBeGreaterThan(held.version);
      // A replace is a new incarnation: the old run's outcome can never be taken for the new task's.
      expect(replaced.incarnation).not.toBe(original.incarnation);
      expect(withoutTimestamps(replaced)).toEqual({
        slug: 'swap',
        kind: OTHER_KIND,
        payload: 'new',
        runAt: past(2),
        version: replaced.version,
        priority: 0,
        incarnation: replaced.incarnation,
        retry: 0,
        result: null,
        failed: false,
        paused: false,
        schedule: { type: 'interval', everyMs: 5000 },
        lockedBy: null,
        lockedUntil: null,
      });

      expect(await ctx.store.extendLease('owner-a', [leaseOf(held)], 60_000)).toEqual([]);
      const settled = await ctx.store.settle('owner-a', [{ ...leaseOf(held), type: 'delete' }]);
      expect(settled).toEqual({ applied: [], rejected: ['swap'] });
      expect(withoutTimestamps(await ctx.store.get('swap'))).toEqual(withoutTimestamps(replaced));

      // The replaced task is claimable at once, by anyone.
      expect((await claim(ctx.store, 'owner-b', { kinds: [OTHER_KIND] })).map((t) => t.slug)).toEqual([
        'swap',
      ]);
    });

    it('makes a failed task claimable again', async () => {
      await ctx.store.create(newTask('gave-up'));
      await ctx.store.update('gave-up', { failed: true, retry: 5, result: 'too many errors' });
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);

      await ctx.store.create(newTask('gave-up'), { replace: true });
      const [task] = await claim(ctx.store, 'owner-a');
      expect(task.slug).toBe('gave-up');
      expect(task.failed).toBe(false);
      expect(task.retry).toBe(0);
    });
  });
}
