import {
  claim,
  future,
  KIND,
  leaseOf,
  newTask,
  OTHER_KIND,
  past,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  slugsOf,
  withoutTimestamps,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** update (patches, version rules, ifIdle) and setPausedByKind. */
export function updateCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('update', () => {
    it('answers not-found for an unknown slug', async () => {
      expect(await ctx.store.update('nothing', { paused: true })).toEqual({ status: 'not-found' });
      expect(await ctx.store.update('nothing', { runAt: past(1) }, { ifIdle: true })).toEqual({
        status: 'not-found',
      });
    });

    it('patches the given fields, leaves the others, and bumps the version', async () => {
      const created = await ctx.store.create(newTask('job', { payload: 'p0', runAt: future(1) }));
      const result = await ctx.store.update('job', {
        runAt: past(4),
        schedule: { type: 'cron', expression: '*/5 * * * * *', timeZone: 'UTC' },
        retry: 3,
        result: 'last error',
      });
      expect(result.status).toBe('updated');
      const task = result.status === 'updated' ? result.task : null;
      expect(withoutTimestamps(task)).toEqual({
        slug: 'job',
        kind: KIND,
        payload: 'p0',
        runAt: past(4),
        version: task?.version,
        priority: 0,
        incarnation: created.incarnation,
        retry: 3,
        result: 'last error',
        failed: false,
        paused: false,
        schedule: { type: 'cron', expression: '*/5 * * * * *', timeZone: 'UTC' },
        lockedBy: null,
        lockedUntil: null,
      });
      expect(task?.version).toBeGreaterThan(1);
      expect(withoutTimestamps(await ctx.store.get('job'))).toEqual(withoutTimestamps(task));

      const cleared = await ctx.store.update('job', { schedule: null, result: null, payload: { p: 1 } });
      expect(cleared.status === 'updated' && cleared.task).toMatchObject({
        schedule: null,
        result: null,
        payload: { p: 1 },
        retry: 3,
      });
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['job']);
    });

    it('does not bump the version for a patch that only pauses or resumes', async () => {
      await ctx.store.create(newTask('job'));
      const paused = await ctx.store.update('job', { paused: true });
      expect(paused.status === 'updated' && paused.task).toMatchObject({ paused: true, version: 1 });
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
      expect(await ctx.store.nextRun([KIND])).toBeNull();

      const resumed = await ctx.store.update('job', { paused: false });
      expect(resumed.status === 'updated' && resumed.task).toMatchObject({ paused: false, version: 1 });
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['job']);

      await ctx.store.create(newTask('both'));
      const both = await ctx.store.update('both', { paused: true, retry: 1 });
      expect(both.status === 'updated' && both.task.version).toBeGreaterThan(1);
    });

    it('lets a run in flight settle after a pause, and the task stays paused', async () => {
      await ctx.store.create(newTask('job'));
      const [held] = await claim(ctx.store, 'owner-a');
      expect((await ctx.store.update('job', { paused: true })).status).toBe('updated');

      const result = await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: past(10), retry: 0, result: 'ok', failed: false },
      ]);
      expect(result).toEqual({ applied: ['job'], rejected: [] });
      expect(await ctx.store.get('job')).toMatchObject({ paused: true, runAt: past(10), lockedBy: null });
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);
    });

    it('with ifIdle, refuses a task under a live lease and changes nothing', async () => {
      await ctx.store.create(newTask('busy', { runAt: past(1) }));
      const [held] = await claim(ctx.store, 'owner-a');

      const result = await ctx.store.update('busy', { runAt: past(2), paused: true }, { ifIdle: true });
      expect(result.status).toBe('running');
      expect(result.status === 'running' && result.task).toMatchObject({ slug: 'busy', lockedBy: 'owner-a' });
      expect(await ctx.store.get('busy')).toMatchObject({
        runAt: past(1),
        paused: false,
        version: held.version,
        lockedBy: 'owner-a',
      });
    });

    it('with ifIdle, updates an idle task and one whose lease expired', async () => {
      await ctx.store.create(newTask('idle', { runAt: future(1) }));
      expect((await ctx.store.update('idle', { runAt: past(1) }, { ifIdle: true })).status).toBe('updated');

      await ctx.store.create(newTask('expired', { kind: OTHER_KIND }));
      await claim(ctx.store, 'owner-a', { kinds: [OTHER_KIND], leaseMs: SHORT_LEASE_MS });
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);
      const result = await ctx.store.update('expired', { runAt: past(3) }, { ifIdle: true });
      expect(result.status === 'updated' && result.task.runAt).toEqual(past(3));
    });

    it('without ifIdle, changes a leased task, fences its holder, and keeps the lease until it ends', async () => {
      await ctx.store.create(newTask('busy'));
      const [held] = await claim(ctx.store, 'owner-a');

      const result = await ctx.store.update('busy', { runAt: past(20) });
      expect(result.status).toBe('updated');
      expect(result.status === 'updated' && result.task.version).toBeGreaterThan(held.version);
      expect(await ctx.store.get('busy')).toMatchObject({ runAt: past(20), lockedBy: 'owner-a' });
      expect(await ctx.store.settle('owner-a', [{ ...leaseOf(held), type: 'delete' }])).toEqual({
        applied: [],
        rejected: ['busy'],
      });
      expect(await claim(ctx.store, 'owner-b')).toEqual([]);
    });

    it('makes a failed task claimable again when failed is cleared', async () => {
      await ctx.store.create(newTask('job'));
      await ctx.store.update('job', { failed: true });
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
      await ctx.store.update('job', { failed: false, retry: 0 });
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['job']);
    });

    it('moves a task earlier or later in the claim order', async () => {
      await ctx.store.create(newTask('a', { runAt: past(1) }));
      await ctx.store.create(newTask('b', { runAt: past(2) }));
      await ctx.store.create(newTask('c', { runAt: future(1) }));
      await ctx.store.update('c', { runAt: past(0) });
      await ctx.store.update('a', { runAt: future(2) });
      expect(await ctx.store.nextRun([KIND])).toEqual(past(0));
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['c', 'b']);
    });
  });

  describe('setPausedByKind', () => {
    it('pauses and resumes every task of a kind, counts the changed ones, and keeps versions', async () => {
      await ctx.store.create(newTask('a1', { runAt: past(1) }));
      await ctx.store.create(newTask('a2', { runAt: past(2) }));
      await ctx.store.create(newTask('a3', { runAt: past(3), paused: true }));
      await ctx.store.create(newTask('b1', { kind: OTHER_KIND }));

      expect(await ctx.store.setPausedByKind(KIND, true)).toBe(2);
      expect(await ctx.store.nextRun([KIND])).toBeNull();
      expect(await claim(ctx.store, 'owner-a')).toEqual([]);
      for (const slug of ['a1', 'a2', 'a3']) {
        expect(await ctx.store.get(slug)).toMatchObject({ paused: true, version: 1 });
      }
      expect((await ctx.store.get('b1'))?.paused).toBe(false);

      expect(await ctx.store.setPausedByKind(KIND, false)).toBe(3);
      expect(await ctx.store.setPausedByKind(KIND, false)).toBe(0);
      expect(await ctx.store.setPausedByKind('no-such-kind', true)).toBe(0);
      expect(slugsOf(await claim(ctx.store, 'owner-a'))).toEqual(['a1', 'a2', 'a3']);
      expect(slugsOf(await claim(ctx.store, 'owner-a', { kinds: [OTHER_KIND] }))).toEqual(['b1']);
    });
  });
}
