import { InvalidArgumentError } from '../../../core/errors/index.js';
import type { StoreTask } from '../../../core/job.js';
import type { KindLimits } from '../../../core/store/claim-limits.js';
import type { JobStore } from '../../../core/store/job-store.js';
import {
  claim,
  KIND,
  leaseOf,
  newTask,
  OTHER_KIND,
  past,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  slugsOf,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** A rate window long enough that a slow machine stays inside it between two claims. */
const RATE_WINDOW_MS = 1500;

/** Claims of {@link KIND} with these limits. */
function claimLimited(
  store: JobStore,
  owner: string,
  limits: KindLimits,
  options: { limit?: number; leaseMs?: number; kinds?: string[] } = {},
): Promise<StoreTask[]> {
  return claim(store, owner, { ...options, limits: { [KIND]: limits } });
}

async function createDue(store: JobStore, count: number, key?: (i: number) => string | null): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await store.create(
      newTask(`t${String(i).padStart(2, '0')}`, { runAt: past(i), concurrencyKey: key?.(i) ?? null }),
    );
  }
}

/**
 * Cluster-wide limits (`ClaimRequest.limits`): enforced by the claim over every claimer of the
 * store, counting live leases only; tasks over a limit stay due.
 */
export function limitCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('claim limits', () => {
    it('globalConcurrency: claimers racing on several store objects take no more than the limit together', async () => {
      await createDue(ctx.store, 12);
      const claimers = await ctx.stores(4);
      const batches = await Promise.all(
        claimers.map((store, i) => claimLimited(store, `owner-${i}`, { globalConcurrency: 3 }, { limit: 5 })),
      );
      const claimed = batches.flat();
      expect(claimed).toHaveLength(3);
      expect(new Set(slugsOf(claimed)).size).toBe(3);
      // Full: nobody gets more, though nine are due.
      const again = await Promise.all(
        claimers.map((store, i) => claimLimited(store, `owner-${i}`, { globalConcurrency: 3 })),
      );
      expect(again.flat()).toEqual([]);

      // A settled run frees its slot at once.
      const done = claimed[0]!;
      await ctx.store.settle(done.lockedBy as string, [{ ...leaseOf(done), type: 'delete' }]);
      expect(await claimLimited(claimers[1]!, 'owner-1', { globalConcurrency: 3 })).toHaveLength(1);
    });

    it('a lease that runs out frees its slot (a dead instance holds nothing)', async () => {
      await createDue(ctx.store, 4);
      const [dead, alive] = await ctx.stores(2);
      expect(
        await claimLimited(dead!, 'dead', { globalConcurrency: 2 }, { leaseMs: SHORT_LEASE_MS }),
      ).toHaveLength(2);
      expect(await claimLimited(alive!, 'alive', { globalConcurrency: 2 })).toEqual([]);
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);
      const taken = await claimLimited(alive!, 'alive', { globalConcurrency: 2 });
      expect(taken).toHaveLength(2);
      expect(await claimLimited(alive!, 'alive', { globalConcurrency: 2 })).toEqual([]);
    });

    it('keyConcurrency: at most that many runs per key; tasks without a key are not limited per key', async () => {
      const keys = ['a', 'a', 'b', 'a', 'b', null, null];
      await createDue(ctx.store, keys.length, (i) => keys[i]!);
      const first = await claimLimited(ctx.store, 'owner-a', { keyConcurrency: 1 });
      expect(slugsOf(first)).toEqual(['t00', 't02', 't05', 't06']);
      expect(await claimLimited(ctx.store, 'owner-b', { keyConcurrency: 1 })).toEqual([]);

      const a = first[0]!;
      await ctx.store.settle('owner-a', [{ ...leaseOf(a), type: 'delete' }]);
      expect(slugsOf(await claimLimited(ctx.store, 'owner-b', { keyConcurrency: 1 }))).toEqual(['t01']);
      expect(slugsOf(await claimLimited(ctx.store, 'owner-b', { keyConcurrency: 2 }))).toEqual([
        't03',
        't04',
      ]);
    });

    it('keyConcurrency holds across claimers racing on several store objects', async () => {
      await createDue(ctx.store, 12, (i) => `tenant-${i % 3}`);
      const claimers = await ctx.stores(4);
      const batches = await Promise.all(
        claimers.map((store, i) => claimLimited(store, `owner-${i}`, { keyConcurrency: 2 }, { limit: 4 })),
      );
      const perKey = new Map<string, number>();
      for (const task of batches.flat())
        perKey.set(task.concurrencyKey as string, (perKey.get(task.concurrencyKey as string) ?? 0) + 1);
      expect([...perKey.values()].every((n) => n <= 2)).toBe(true);
      expect(batches.flat().length).toBeGreaterThan(0);
      expect(batches.flat().length).toBeLessThanOrEqual(6);
    });

    it('rateLimit: at most max starts per window, running or not; the others wait, due', async () => {
      await createDue(ctx.store, 5);
      const rate = { rateLimit: { max: 2, perMs: RATE_WINDOW_MS } };
      const first = await claimLimited(ctx.store, 'owner-a', rate);
      expect(slugsOf(first)).toEqual(['t00', 't01']);
      await ctx.store.settle(
        'owner-a',
        first.map((task) => ({ ...leaseOf(task), type: 'delete' as const })),
      );
      // Nothing runs, but two started within the window.
      expect(await claimLimited(ctx.store, 'owner-b', rate)).toEqual([]);
      expect(await ctx.store.get('t02')).toMatchObject({ lockedBy: null, failed: false });

      await ctx.harness.advance(RATE_WINDOW_MS + 300);
      expect(slugsOf(await claimLimited(ctx.store, 'owner-b', rate))).toEqual(['t02', 't03']);
      expect(await claimLimited(ctx.store, 'owner-b', rate)).toEqual([]);
    });

    it('clear() also forgets the starts a rate limit counted', async () => {
      await createDue(ctx.store, 2);
      const rate = { rateLimit: { max: 1, perMs: 3_600_000 } };
      expect(slugsOf(await claimLimited(ctx.store, 'owner-a', rate))).toEqual(['t00']);
      await ctx.store.clear();
      await createDue(ctx.store, 2);
      expect(slugsOf(await claimLimited(ctx.store, 'owner-a', rate))).toEqual(['t00']);
    });

    it('limits combine, keep priority order, and leave other kinds of the same claim alone', async () => {
      await createDue(ctx.store, 6, (i) => (i < 3 ? 'x' : `k${i}`));
      await ctx.store.create(newTask('urgent', { runAt: past(50), priority: 5, concurrencyKey: 'y' }));
      for (let i = 0; i < 3; i += 1)
        await ctx.store.create(newTask(`other-${i}`, { kind: OTHER_KIND, runAt: past(i) }));
      const claimed = await claimLimited(
        ctx.store,
        'owner-a',
        { globalConcurrency: 3, keyConcurrency: 1 },
        { kinds: [KIND, OTHER_KIND], limit: 10 },
      );
      expect(slugsOf(claimed.filter((t) => t.kind === KIND))).toEqual(['urgent', 't00', 't03']);
      expect(slugsOf(claimed.filter((t) => t.kind === OTHER_KIND))).toEqual([
        'other-0',
        'other-1',
        'other-2',
      ]);
    });

    it('refuses limits out of range, before anything is claimed', async () => {
      await createDue(ctx.store, 1);
      const bad: unknown[] = [
        { globalConcurrency: 0 },
        { globalConcurrency: 1.5 },
        { keyConcurrency: -1 },
        { rateLimit: { max: 0, perMs: 1000 } },
        { rateLimit: { max: 1, perMs: 0 } },
        { rateLimit: null },
        null,
      ];
      for (const limits of bad) {
        await expect(claimLimited(ctx.store, 'owner-a', limits as KindLimits)).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
      }
      expect((await ctx.store.get('t00'))?.lockedBy).toBeNull();
    });
  });
}
