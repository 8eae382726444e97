import type { StoreTask } from '../../../core/job.js';
import type { ListQuery } from '../../../core/store/job-store.js';
import {
  claim,
  future,
  KIND,
  newTask,
  OTHER_KIND,
  past,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  shuffled,
  slugsOf,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

const slug = (i: number): string => `task-${String(i).padStart(2, '0')}`;

/** list: cursor pages and filters. */
export function listCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  /** Follows cursors to the end, failing on a page that never ends. */
  async function listAll(query: Omit<ListQuery, 'cursor'>): Promise<{ tasks: StoreTask[]; pages: number }> {
    const tasks: StoreTask[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ctx.store.list({ ...query, cursor });
      expect(page.tasks.length).toBeLessThanOrEqual(query.limit);
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
      pages += 1;
      if (pages > 100) throw new Error('list never returned a null cursor');
    } while (cursor !== null);
    return { tasks, pages };
  }

  describe('list', () => {
    it('returns an empty last page for an empty store', async () => {
      expect(await ctx.store.list({ limit: 10 })).toEqual({ tasks: [], nextCursor: null });
    });

    it('pages through 25 tasks by cursor in slug order, with no duplicates and no gaps', async () => {
      const all = Array.from({ length: 25 }, (_, i) => slug(i));
      for (const s of shuffled(all)) await ctx.store.create(newTask(s, { payload: { s } }));

      const first = await ctx.store.list({ limit: 10 });
      expect(slugsOf(first.tasks)).toEqual(all.slice(0, 10));
      expect(first.nextCursor).not.toBeNull();
      const second = await ctx.store.list({ limit: 10, cursor: first.nextCursor });
      expect(slugsOf(second.tasks)).toEqual(all.slice(10, 20));
      expect(second.nextCursor).not.toBeNull();
      const third = await ctx.store.list({ limit: 10, cursor: second.nextCursor });
      expect(slugsOf(third.tasks)).toEqual(all.slice(20));
      expect(third.nextCursor).toBeNull();

      expect(third.tasks[0]).toMatchObject({
        slug: slug(20),
        kind: KIND,
        payload: { s: slug(20) },
        version: 1,
      });
      expect(slugsOf((await listAll({ limit: 7 })).tasks)).toEqual(all);
      expect(slugsOf((await listAll({ limit: 1000 })).tasks)).toEqual(all);
    });

    it('continues after a cursor whose task was deleted meanwhile', async () => {
      const all = Array.from({ length: 6 }, (_, i) => slug(i));
      for (const s of all) await ctx.store.create(newTask(s));
      const first = await ctx.store.list({ limit: 3 });
      await ctx.store.delete(slug(2));
      await ctx.store.delete(slug(3));
      const second = await ctx.store.list({ limit: 3, cursor: first.nextCursor });
      expect(slugsOf(second.tasks)).toEqual([slug(4), slug(5)]);
      expect(second.nextCursor).toBeNull();
    });

    it('filters by kind across pages', async () => {
      const all = Array.from({ length: 25 }, (_, i) => slug(i));
      for (const [i, s] of all.entries())
        await ctx.store.create(newTask(s, { kind: i % 3 === 0 ? OTHER_KIND : KIND }));

      const other = await listAll({ kind: OTHER_KIND, limit: 4 });
      expect(slugsOf(other.tasks)).toEqual(all.filter((_, i) => i % 3 === 0));
      expect(other.tasks.every((task) => task.kind === OTHER_KIND)).toBe(true);
      expect(slugsOf((await listAll({ kind: KIND, limit: 5 })).tasks)).toEqual(
        all.filter((_, i) => i % 3 !== 0),
      );
      expect(await ctx.store.list({ kind: 'no-such-kind', limit: 5 })).toEqual({
        tasks: [],
        nextCursor: null,
      });
    });

    it('filters by state: scheduled, running (a live lease), failed, paused', async () => {
      // An expired lease: claimed on its own kind, then left to run out.
      await ctx.store.create(newTask('expired', { kind: OTHER_KIND }));
      await claim(ctx.store, 'owner-a', { kinds: [OTHER_KIND], leaseMs: SHORT_LEASE_MS });
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);

      await ctx.store.create(newTask('running', { runAt: past(1) }));
      await ctx.store.create(newTask('due', { runAt: past(5) }));
      await ctx.store.create(newTask('future', { runAt: future(1) }));
      await ctx.store.create(newTask('failed', { runAt: past(0) }));
      await ctx.store.update('failed', { failed: true, result: 'boom' });
      await ctx.store.create(newTask('paused', { runAt: past(0), paused: true }));
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 1 }))).toEqual(['running']);

      const byState = async (state: ListQuery['state']): Promise<string[]> =>
        slugsOf((await listAll({ state, limit: 2 })).tasks);
      expect(await byState('scheduled')).toEqual(['due', 'expired', 'future']);
      expect(await byState('running')).toEqual(['running']);
      expect(await byState('failed')).toEqual(['failed']);
      expect(await byState('paused')).toEqual(['paused']);
      expect(slugsOf((await listAll({ state: 'scheduled', kind: OTHER_KIND, limit: 2 })).tasks)).toEqual([
        'expired',
      ]);
    });
  });
}
