import type { OperatingContext } from '../operating.suite.js';

/** ensureRecurring keeps a declared recurring task as declared across deploys. */
export function ensureRecurringCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('ensureRecurring', () => {
    it('creates the task once; the same declaration again changes nothing', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      scheduler.registerJob(env.job('op-report'));
      const first = await scheduler.ensureRecurring('report', 'op-report', '0 0 1 1 *', {
        payload: { v: 1 },
      });
      const again = await scheduler.ensureRecurring('report', 'op-report', '0 0 1 1 *', {
        payload: { v: 1 },
      });
      expect(again).toEqual(first);
    });

    it('updates a changed payload, keeps the stored one when none is given, and the next run sees it', async () => {
      const { env } = ctx;
      const job = env.job('op-digest');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.ensureRecurring('digest', 'op-digest', '0 0 1 1 *', { payload: { to: 'a', n: [1] } });
      // Same value, keys in another order: nothing to change.
      const same = await scheduler.ensureRecurring('digest', 'op-digest', '0 0 1 1 *', {
        payload: { n: [1], to: 'a' },
      });
      const changed = await scheduler.ensureRecurring('digest', 'op-digest', '0 0 1 1 *', {
        payload: { to: 'b', n: [1] },
      });
      expect(changed.payload).toEqual({ to: 'b', n: [1] });
      expect(changed.nextRunTime).toEqual(same.nextRunTime);
      const kept = await scheduler.ensureRecurring('digest', 'op-digest', '0 0 1 1 *');
      expect(kept.payload).toEqual({ to: 'b', n: [1] });

      await scheduler.start();
      await scheduler.triggerJob('digest');
      await scheduler.whenIdle();
      expect(job.runs.map((run) => run.payload)).toEqual([{ to: 'b', n: [1] }]);
    });

    it('replaces the task when the declared kind changed: the new kind runs it', async () => {
      const { env } = ctx;
      const before = env.job('op-old-kind');
      const after = env.job('op-new-kind');
      const scheduler = env.scheduler();
      scheduler.registerJob(before);
      scheduler.registerJob(after);
      await scheduler.ensureRecurring('cleanup', 'op-old-kind', '0 0 1 1 *', { payload: 'p' });
      const moved = await scheduler.ensureRecurring('cleanup', 'op-new-kind', '0 0 1 1 *');
      expect(moved).toMatchObject({ slug: 'cleanup', kind: 'op-new-kind', payload: 'p' });

      await scheduler.start();
      await scheduler.triggerJob('cleanup');
      await scheduler.whenIdle();
      expect(before.runs).toEqual([]);
      expect(after.slugs()).toEqual(['cleanup']);
    });
  });
}
