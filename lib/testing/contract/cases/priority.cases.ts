import { InvalidArgumentError } from '../../../core/errors/index.js';
import { claim, future, KIND, newTask, OTHER_KIND, past, shuffled, slugsOf } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** Priorities: stored with the task, and among due tasks the higher claimed first, then the earlier. */
export function priorityCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('priority', () => {
    it('is stored with the task (0 when not given), by create, createMany and replace', async () => {
      await ctx.store.create(newTask('plain'));
      await ctx.store.create(newTask('urgent', { priority: 1000 }));
      await ctx.store.create(newTask('idle', { priority: -1000, concurrencyKey: 'tenant-1' }));
      const bulk = [newTask('b1', { priority: 7 }), newTask('b2')];
      await (ctx.store.createMany
        ? ctx.store.createMany(bulk)
        : Promise.all(bulk.map((t) => ctx.store.create(t))));
      expect((await ctx.store.get('plain'))?.priority).toBe(0);
      expect((await ctx.store.get('urgent'))?.priority).toBe(1000);
      expect(await ctx.store.get('idle')).toMatchObject({ priority: -1000, concurrencyKey: 'tenant-1' });
      expect((await ctx.store.get('plain'))?.concurrencyKey).toBeUndefined();
      expect((await ctx.store.get('b1'))?.priority).toBe(7);
      expect((await ctx.store.get('b2'))?.priority).toBe(0);

      await ctx.store.create(newTask('urgent', { priority: 3 }), { replace: true });
      const replaced = await ctx.store.get('urgent');
      expect(replaced?.priority).toBe(3);
      expect(replaced?.concurrencyKey).toBeUndefined();
    });

    it('hands due tasks out by priority, higher first, then in runAt order', async () => {
      const specs: Array<[string, number, number]> = [
        ['low-early', -5, 1],
        ['zero-early', 0, 2],
        ['zero-late', 0, 9],
        ['high-late', 10, 8],
        ['high-early', 10, 3],
        ['top', 500, 20],
      ];
      for (const [slug, priority, at] of shuffled(specs)) {
        await ctx.store.create(newTask(slug, { priority, runAt: past(at) }));
      }
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 3 }))).toEqual([
        'top',
        'high-early',
        'high-late',
      ]);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 10 }))).toEqual([
        'zero-early',
        'zero-late',
        'low-early',
      ]);
    });

    it('never lets a not-yet-due task of a higher priority hold back due ones', async () => {
      await ctx.store.create(newTask('later-urgent', { priority: 100, runAt: future(1) }));
      await ctx.store.create(newTask('due-plain', { runAt: past(1) }));
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['due-plain']);
      expect((await ctx.store.get('later-urgent'))?.lockedBy).toBeNull();
    });

    it('merges kinds by priority too', async () => {
      await ctx.store.create(newTask('a-low', { runAt: past(1), priority: 1 }));
      await ctx.store.create(newTask('b-high', { kind: OTHER_KIND, runAt: past(5), priority: 2 }));
      await ctx.store.create(newTask('a-high', { runAt: past(9), priority: 2 }));
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: [KIND, OTHER_KIND], limit: 2 }))).toEqual([
        'b-high',
        'a-high',
      ]);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: [KIND, OTHER_KIND] }))).toEqual(['a-low']);
    });

    it('a flood of low-priority due work cannot starve a high-priority task', async () => {
      const flood = Array.from({ length: 400 }, (_, i) =>
        newTask(`flood-${String(i).padStart(3, '0')}`, { runAt: past(i / 10) }),
      );
      if (ctx.store.createMany) await ctx.store.createMany(flood);
      else for (const task of flood) await ctx.store.create(task);
      // Due last of all, and created last.
      await ctx.store.create(newTask('vip', { runAt: past(1000), priority: 1 }));
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 1 }))).toEqual(['vip']);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 2 }))).toEqual(['flood-000', 'flood-001']);
    });

    it('refuses a priority that is not a whole number from -1000 to 1000, before anything is written', async () => {
      for (const priority of [1001, -1001, 1.5, Number.NaN, '1' as unknown as number]) {
        await expect(ctx.store.create(newTask('bad', { priority }))).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
      }
      for (const concurrencyKey of ['', 'a\u0000b', 'k'.repeat(257), 42 as unknown as string]) {
        await expect(ctx.store.create(newTask('bad', { concurrencyKey }))).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
      }
      expect(await ctx.store.getSlugs()).toEqual([]);
    });
  });
}
