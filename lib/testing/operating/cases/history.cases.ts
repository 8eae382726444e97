import { collect, MINUTE, SECOND, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** Execution history (`history: { retention }`) and getJobHistory. */
export function historyCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('history', () => {
    it('records every execution with outcome, error, attempt and instance, newest first', async () => {
      const { env } = ctx;
      const job = env.job('op-flaky', (_task, _ctx, run) => {
        if (run === 1) throw new Error('upstream timed out');
      });
      const scheduler = env.scheduler({ history: { retention: '7d' } });
      scheduler.registerJob(job, { backoff: () => 0 });
      const recorded = collect(scheduler, 'history.recorded');
      const due = env.ago(MINUTE);
      await scheduler.scheduleJob('sync-42', 'op-flaky', { runAt: due });
      await scheduler.scheduleJob('sync-43', 'op-flaky', { runAt: env.ago(MINUTE) });
      await scheduler.start();
      await scheduler.whenIdle();

      const history = await scheduler.getJobHistory('sync-42');
      expect(history).toHaveLength(2);
      const [second, first] = history;
      expect(first).toEqual({
        slug: 'sync-42',
        kind: 'op-flaky',
        scheduledAt: due,
        startedAt: expect.any(Date),
        finishedAt: expect.any(Date),
        outcome: 'failed',
        error: 'upstream timed out',
        attempt: 1,
        instanceId: scheduler.instanceId,
      });
      expect(second).toMatchObject({
        slug: 'sync-42',
        kind: 'op-flaky',
        outcome: 'succeeded',
        error: null,
        attempt: 2,
        instanceId: scheduler.instanceId,
      });
      for (const record of history) {
        expect(record.startedAt.getTime()).toBeGreaterThanOrEqual(record.scheduledAt.getTime());
        expect(record.finishedAt.getTime()).toBeGreaterThanOrEqual(record.startedAt.getTime());
      }
      // The retry was due when the failure was decided (a zero backoff).
      expect(second!.scheduledAt.getTime()).toBeGreaterThanOrEqual(first!.finishedAt.getTime());
      expect(second!.finishedAt.getTime()).toBeGreaterThanOrEqual(first!.finishedAt.getTime());

      expect(await scheduler.getJobHistory('sync-42', { limit: 1 })).toEqual([second]);
      expect(await scheduler.getJobHistory('sync-43')).toHaveLength(1);
      expect(recorded).toHaveLength(3);
    });

    it('keeps nothing without the history option', async () => {
      const { env } = ctx;
      const job = env.job('op-no-history');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      const recorded = collect(scheduler, 'history.recorded');
      await scheduler.scheduleJob('quiet', 'op-no-history', { runAt: env.ago(MINUTE) });
      await scheduler.start();
      await scheduler.whenIdle();
      expect(job.slugs()).toEqual(['quiet']);
      expect(await scheduler.getJobHistory('quiet')).toEqual([]);
      expect(recorded).toEqual([]);
    });

    it('prunes records older than the retention', async () => {
      const { env } = ctx;
      const job = env.job('op-pruned');
      // The shortest retention the engine prunes at its own pace (every max(1 s, retention / 10)).
      const scheduler = env.scheduler({ history: { retention: 1500 } });
      scheduler.registerJob(job);
      await scheduler.scheduleJob('short-lived', 'op-pruned', { runAt: env.ago(MINUTE) });
      await scheduler.start();
      await scheduler.whenIdle();
      expect(await scheduler.getJobHistory('short-lived')).toHaveLength(1);

      await env.harness.advance(3 * SECOND);
      await until(
        async () => (await scheduler.getJobHistory('short-lived')).length === 0,
        'the record to be pruned',
      );
    });
  });
}
