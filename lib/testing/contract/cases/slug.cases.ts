import { JobAlreadyScheduledError } from '../../../core/errors/index.js';
import { claim, leaseOf, newTask, past, slugsOf } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** Slugs a store must keep as given, whatever its key or path rules. */
const awkwardSlugs = [
  'tâche-日本語-🚀',
  'a/b/c',
  '/leading-slash',
  'trailing-slash/',
  '50%',
  '%2F',
  'with space',
  ' padded ',
  '.',
  '..',
  'a.b',
  '__reserved__',
  'UPPER-lower',
  'x'.repeat(300),
];

/** Unicode and path-like slugs. */
export function slugCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('slugs', () => {
    it('keeps unicode and path-like slugs as given, through every operation', async () => {
      for (const [i, slug] of awkwardSlugs.entries()) {
        await ctx.store.create(newTask(slug, { runAt: past(i), payload: { i } }));
      }
      for (const [i, slug] of awkwardSlugs.entries()) {
        expect(await ctx.store.get(slug)).toMatchObject({ slug, payload: { i } });
      }
      expect([...(await ctx.store.getSlugs())].sort()).toEqual([...awkwardSlugs].sort());
      await expect(ctx.store.create(newTask('a/b/c'))).rejects.toBeInstanceOf(JobAlreadyScheduledError);

      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await ctx.store.list({ limit: 4, cursor });
        listed.push(...slugsOf(page.tasks));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(listed.sort()).toEqual([...awkwardSlugs].sort());

      const held = await claim(ctx.store, 'owner-a');
      expect(slugsOf(held)).toEqual(awkwardSlugs);
      const settled = await ctx.store.settle(
        'owner-a',
        held.map((task) => ({
          ...leaseOf(task),
          type: 'reschedule',
          runAt: past(0),
          retry: 1,
          result: null,
          failed: false,
        })),
      );
      expect(settled.applied.sort()).toEqual([...awkwardSlugs].sort());

      for (const slug of awkwardSlugs) expect(await ctx.store.delete(slug)).toBe(true);
      expect(await ctx.store.getSlugs()).toEqual([]);
    });

    it('tells slugs apart that differ only in case, encoding or a trailing slash', async () => {
      const similar = ['Job', 'job', 'a%2Fb', 'a/b', 'dir', 'dir/'];
      for (const slug of similar) await ctx.store.create(newTask(slug, { payload: slug }));
      for (const slug of similar) expect((await ctx.store.get(slug))?.payload).toBe(slug);
      expect([...(await ctx.store.getSlugs())].sort()).toEqual([...similar].sort());
    });
  });
}
