import {
  claim,
  leaseOf,
  LONG_LEASE_MS,
  newTask,
  past,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  slugsOf,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** Lease expiry, takeover, extension and fencing. */
export function leaseCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('leases', () => {
    it('lets another owner take a task over once its lease expired, and fences the old owner', async () => {
      await ctx.store.create(newTask('job', { runAt: past(1) }));
      const [first] = await claim(ctx.store, 'owner-a', { leaseMs: SHORT_LEASE_MS });
      expect(await claim(ctx.store, 'owner-b', { leaseMs: SHORT_LEASE_MS })).toEqual([]);

      await ctx.harness.advance(PAST_SHORT_LEASE_MS);
      const [second] = await claim(ctx.store, 'owner-b', { leaseMs: LONG_LEASE_MS });
      expect(second.slug).toBe('job');
      expect(second.lockedBy).toBe('owner-b');
      expect(second.version).toBe(first.version + 1);
      expect(second.runAt).toEqual(past(1));

      expect(await ctx.store.extendLease('owner-a', [leaseOf(first)], LONG_LEASE_MS)).toEqual([]);
      const stale = await ctx.store.settle('owner-a', [
        { ...leaseOf(first), type: 'reschedule', runAt: past(99), retry: 1, result: 'late', failed: false },
      ]);
      expect(stale).toEqual({ applied: [], rejected: ['job'] });
      const afterStale = await ctx.store.get('job');
      expect(afterStale).toMatchObject({
        lockedBy: 'owner-b',
        version: second.version,
        runAt: past(1),
        retry: 0,
      });

      expect(await ctx.store.extendLease('owner-b', [leaseOf(second)], LONG_LEASE_MS)).toEqual(['job']);
      expect(await ctx.store.settle('owner-b', [{ ...leaseOf(second), type: 'delete' }])).toEqual({
        applied: ['job'],
        rejected: [],
      });
      expect(await ctx.store.get('job')).toBeNull();
    });

    it('keeps a task held while its owner extends the lease, without changing the version', async () => {
      await ctx.store.create(newTask('long-job'));
      const [held] = await claim(ctx.store, 'owner-a', { leaseMs: SHORT_LEASE_MS });
      await ctx.harness.advance(SHORT_LEASE_MS / 2);

      expect(await ctx.store.extendLease('owner-a', [leaseOf(held)], LONG_LEASE_MS)).toEqual(['long-job']);
      await ctx.harness.advance(PAST_SHORT_LEASE_MS - SHORT_LEASE_MS / 2);
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);

      const stored = await ctx.store.get('long-job');
      expect(stored?.version).toBe(held.version);
      expect(stored?.lockedBy).toBe('owner-a');
      expect(stored?.lockedUntil?.getTime()).toBeGreaterThan(held.lockedUntil?.getTime() ?? Infinity);
    });

    it('extends only the leases the caller still holds at that version', async () => {
      await ctx.store.create(newTask('a', { runAt: past(1) }));
      await ctx.store.create(newTask('b', { runAt: past(2) }));
      const [a, b] = await claim(ctx.store, 'owner-a');

      expect(await ctx.store.extendLease('owner-b', [leaseOf(a), leaseOf(b)], LONG_LEASE_MS)).toEqual([]);
      expect(
        await ctx.store.extendLease(
          'owner-a',
          [{ slug: 'a', version: a.version - 1 }, leaseOf(b), { slug: 'no-such-task', version: 1 }],
          LONG_LEASE_MS,
        ),
      ).toEqual(['b']);
      expect(await ctx.store.extendLease('owner-a', [], LONG_LEASE_MS)).toEqual([]);
    });

    it('still lets the owner settle an expired lease that nobody took over', async () => {
      await ctx.store.create(newTask('slow'));
      const [held] = await claim(ctx.store, 'owner-a', { leaseMs: SHORT_LEASE_MS });
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);

      const result = await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: past(50), retry: 0, result: 'ok', failed: false },
      ]);
      expect(result).toEqual({ applied: ['slow'], rejected: [] });
      expect(await ctx.store.get('slow')).toMatchObject({ runAt: past(50), result: 'ok', lockedBy: null });
    });

    it('makes a task with an expired lease claimable in runAt order with the others', async () => {
      await ctx.store.create(newTask('first', { runAt: past(1) }));
      await claim(ctx.store, 'owner-a', { leaseMs: SHORT_LEASE_MS });
      await ctx.store.create(newTask('second', { runAt: past(2) }));
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);
      expect(slugsOf(await claim(ctx.store, 'owner-b', { limit: 1 }))).toEqual(['first']);
      expect(slugsOf(await claim(ctx.store, 'owner-b', { limit: 1 }))).toEqual(['second']);
    });
  });
}
