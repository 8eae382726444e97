import { InvalidArgumentError, JobAlreadyScheduledError } from '../../../core/errors/index.js';
import type { NewTask } from '../../../core/store/job-store.js';
import { claim, future, KIND, leaseOf, newTask, past, slugsOf, withoutTimestamps } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** `count` due tasks `prefix-0` … in creation order. */
function many(prefix: string, count: number, overrides: Partial<NewTask> = {}): NewTask[] {
  return Array.from({ length: count }, (_, i) => newTask(`${prefix}-${i}`, { payload: { i }, ...overrides }));
}

/** createMany: bulk creation with a conflict policy, exact under races (for stores that offer it). */
export function createManyCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('createMany', () => {
    it('creates every task, in the order given, each with its own incarnation', async () => {
      if (!ctx.store.createMany) return;
      const tasks = many('bulk', 25, { runAt: past(3) });
      const results = await ctx.store.createMany(tasks);
      expect(results.map((r) => [r.slug, r.status])).toEqual(tasks.map((t) => [t.slug, 'created']));
      expect(new Set(results.map((r) => r.incarnation)).size).toBe(25);
      const read = await ctx.store.get('bulk-7');
      expect(read).toMatchObject({ kind: KIND, payload: { i: 7 }, runAt: past(3), version: 1, retry: 0 });
      expect(read?.incarnation).toBe(results[7].incarnation);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 100 })).length).toBe(25);
    });

    it("refuses the call on an existing slug with onConflict 'error' (the default), writing nothing", async () => {
      if (!ctx.store.createMany) return;
      await ctx.store.create(newTask('taken', { payload: 'first' }));
      const refusal = ctx.store.createMany([newTask('new-1'), newTask('taken'), newTask('new-2')]);
      await expect(refusal).rejects.toBeInstanceOf(JobAlreadyScheduledError);
      await expect(refusal).rejects.toMatchObject({ slug: 'taken' });
      expect((await ctx.store.getSlugs()).sort()).toEqual(['taken']);
      expect((await ctx.store.get('taken'))?.payload).toBe('first');
    });

    it("with 'error', a taken slug past the first chunk a store writes undoes the chunks before it", async () => {
      if (!ctx.store.createMany) return;
      await ctx.store.create(newTask('big-5500', { payload: 'first' }));
      const refusal = ctx.store.createMany(many('big', 6_000));
      await expect(refusal).rejects.toBeInstanceOf(JobAlreadyScheduledError);
      await expect(refusal).rejects.toMatchObject({ slug: 'big-5500' });
      expect(await ctx.store.getSlugs()).toEqual(['big-5500']);
      expect((await ctx.store.get('big-5500'))?.payload).toBe('first');
    });

    it("keeps existing tasks as they are with 'skip', and says so", async () => {
      if (!ctx.store.createMany) return;
      const existing = await ctx.store.create(newTask('old', { payload: 'kept', runAt: future(1) }));
      const results = await ctx.store.createMany(
        [newTask('a'), newTask('old', { payload: 'new' }), newTask('b')],
        {
          onConflict: 'skip',
        },
      );
      expect(results).toEqual([
        { slug: 'a', status: 'created', incarnation: expect.any(String) },
        { slug: 'old', status: 'skipped', incarnation: null },
        { slug: 'b', status: 'created', incarnation: expect.any(String) },
      ]);
      expect(withoutTimestamps(await ctx.store.get('old'))).toEqual(withoutTimestamps(existing));
    });

    it("replaces existing tasks with 'replace': a new incarnation, the lease cleared, the old owner fenced out", async () => {
      if (!ctx.store.createMany) return;
      const original = await ctx.store.create(newTask('swap', { payload: 'old' }));
      const [held] = await claim(ctx.store, 'owner-a');
      const results = await ctx.store.createMany(
        [newTask('swap', { payload: 'new', runAt: future(2) }), newTask('c')],
        {
          onConflict: 'replace',
        },
      );
      expect(results.map((r) => r.status)).toEqual(['replaced', 'created']);
      const replaced = await ctx.store.get('swap');
      expect(replaced).toMatchObject({ payload: 'new', runAt: future(2), lockedBy: null, retry: 0 });
      expect(replaced?.incarnation).toBe(results[0].incarnation);
      expect(replaced?.incarnation).not.toBe(original.incarnation);
      expect(await ctx.store.settle('owner-a', [{ ...leaseOf(held), type: 'delete' }])).toEqual({
        applied: [],
        rejected: ['swap'],
      });
    });

    it('refuses a slug given twice, and a bad task, before anything is written', async () => {
      if (!ctx.store.createMany) return;
      await expect(ctx.store.createMany([newTask('x'), newTask('y'), newTask('x')])).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        ctx.store.createMany([newTask('x'), newTask('y', { runAt: new Date(Number.NaN) })]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await ctx.store.getSlugs()).toEqual([]);
    });

    it('creates a large batch, past any chunk size a store writes in', async () => {
      if (!ctx.store.createMany) return;
      const results = await ctx.store.createMany(many('big', 6_000, { runAt: future(3) }));
      expect(results.filter((r) => r.status === 'created')).toHaveLength(6_000);
      expect(await ctx.store.getSlugs()).toHaveLength(6_000);
      expect((await ctx.store.get('big-5999'))?.payload).toEqual({ i: 5999 });
    });

    it('creates each slug once when two instances race over overlapping sets, and tells each the truth', async () => {
      if (!ctx.store.createMany) return;
      const [a, b] = await ctx.stores(2);
      const slugs = Array.from({ length: 300 }, (_, i) => `race-${i}`);
      const tasksA = slugs.slice(0, 200).map((slug) => newTask(slug));
      const tasksB = slugs.slice(100).map((slug) => newTask(slug));
      const [fromA, fromB] = await Promise.all([
        a.createMany!(tasksA, { onConflict: 'skip' }),
        b.createMany!(tasksB, { onConflict: 'skip' }),
      ]);
      const created = [...fromA, ...fromB].filter((r) => r.status === 'created').map((r) => r.slug);
      expect(created.sort()).toEqual([...slugs].sort());
      expect((await ctx.store.getSlugs()).sort()).toEqual([...slugs].sort());
    });
  });
}
