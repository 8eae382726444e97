import { JobRunningError } from '../../../core/errors/index.js';
import { collect, DAY, HOUR, MINUTE, slugsOf, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** Control calls against a task that is running right now. */
export function runningCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('while the job runs', () => {
    it('a pause lets the run finish and keeps the task paused; run now and reschedule are refused', async () => {
      const { env } = ctx;
      const job = env.job('op-long');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      const succeeded = collect(scheduler, 'job.succeeded');
      const lost = collect(scheduler, 'lease.lost');
      const due = env.ago(MINUTE);
      await scheduler.scheduleJob('nightly', 'op-long', { trigger: { every: '1h' }, runAt: due });
      job.hold('nightly');
      await scheduler.start();
      await until(() => job.runs.length === 1, 'the run to start');

      await scheduler.pauseJob('nightly');
      await expect(scheduler.triggerJob('nightly')).rejects.toThrow(JobRunningError);
      await expect(scheduler.rescheduleJob('nightly', { runAt: env.ahead(DAY) })).rejects.toThrow(
        JobRunningError,
      );
      // Running wins over paused while the lease is live, in getScheduledJob and in listJobs alike.
      expect(await scheduler.getScheduledJob('nightly')).toMatchObject({ state: 'running', paused: true });
      expect(slugsOf(await scheduler.listJobs({ state: 'running' }))).toEqual(['nightly']);
      expect(slugsOf(await scheduler.listJobs({ state: 'paused' }))).toEqual([]);

      job.release('nightly');
      await scheduler.whenIdle();

      // The run's outcome was applied (the pause did not fence it out) and the task stayed paused.
      expect(succeeded.map((event) => event.slug)).toEqual(['nightly']);
      expect(lost).toEqual([]);
      expect(await scheduler.getScheduledJob('nightly')).toMatchObject({
        state: 'paused',
        paused: true,
        nextRunTime: new Date(due.getTime() + HOUR),
        lockedBy: null,
      });

      await scheduler.resumeJob('nightly');
      await scheduler.whenIdle();
      expect(job.runs).toHaveLength(1);
      expect(await scheduler.getScheduledJob('nightly')).toMatchObject({ state: 'scheduled' });
    });

    it('a one-time task paused while it runs is done once the run succeeds', async () => {
      const { env } = ctx;
      const job = env.job('op-long-once');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.scheduleJob('export-9', 'op-long-once', { runAt: env.ago(MINUTE) });
      job.hold('export-9');
      await scheduler.start();
      await until(() => job.runs.length === 1, 'the run to start');
      await scheduler.pauseJob('export-9');
      job.release('export-9');
      await scheduler.whenIdle();
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });
  });
}
