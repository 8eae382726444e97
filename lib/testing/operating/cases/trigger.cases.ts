import { InvalidArgumentError } from '../../../core/errors/index.js';
import { DAY, HOUR, MINUTE } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** triggerJob and rescheduleJob. */
export function triggerCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('run now', () => {
    it('runs a recurring task once now without changing its schedule', async () => {
      const { env } = ctx;
      const job = env.job('op-yearly');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      const before = await scheduler.scheduleJob('new-year', 'op-yearly', { trigger: '0 0 1 1 *' });
      await scheduler.start();
      await scheduler.whenIdle();
      expect(job.runs).toEqual([]);

      await scheduler.triggerJob('new-year');
      await scheduler.whenIdle();

      expect(job.slugs()).toEqual(['new-year']);
      const after = await scheduler.getScheduledJob('new-year');
      expect(after).toMatchObject({
        state: 'scheduled',
        schedule: before.schedule,
        nextRunTime: before.nextRunTime,
        retry: 0,
      });
    });

    it('retries a failed one-time task from scratch', async () => {
      const { env } = ctx;
      const job = env.job('op-flaky-once', (_task, _ctx, run) => {
        if (run === 1) throw new Error('card declined');
      });
      const scheduler = env.scheduler();
      scheduler.registerJob(job, { maxRetries: 0 });
      await scheduler.scheduleJob('charge-7', 'op-flaky-once', { runAt: env.ago(MINUTE) });
      await scheduler.start();
      await scheduler.whenIdle();
      expect(await scheduler.getScheduledJob('charge-7')).toMatchObject({
        state: 'failed',
        failed: true,
        retry: 1,
        result: 'card declined',
      });

      await scheduler.triggerJob('charge-7');
      await scheduler.whenIdle();
      expect(job.runs.map((run) => run.attempt)).toEqual([1, 1]);
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });

    it('leaves a paused task paused: it runs once resumed', async () => {
      const { env } = ctx;
      const job = env.job('op-paused-trigger');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.scheduleJob('held', 'op-paused-trigger', { runAt: env.ahead(DAY) });
      await scheduler.pauseJob('held');
      await scheduler.start();
      await scheduler.triggerJob('held');
      await scheduler.whenIdle();
      expect(job.runs).toEqual([]);
      expect(await scheduler.getScheduledJob('held')).toMatchObject({ state: 'paused' });

      await scheduler.resumeJob('held');
      await scheduler.whenIdle();
      expect(job.slugs()).toEqual(['held']);
    });
  });

  describe('reschedule', () => {
    it('moves a task to another time', async () => {
      const { env } = ctx;
      const job = env.job('op-move');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.scheduleJob('later', 'op-move', { runAt: env.ahead(10 * DAY) });
      const nextWeek = env.ahead(7 * DAY);
      expect((await scheduler.rescheduleJob('later', { runAt: nextWeek })).nextRunTime).toEqual(nextWeek);
      await scheduler.start();
      await scheduler.whenIdle();
      expect(job.runs).toEqual([]);

      await scheduler.rescheduleJob('later', { runAt: env.ago(MINUTE) });
      await scheduler.whenIdle();
      expect(job.slugs()).toEqual(['later']);
    });

    it('gives a task a new trigger, stored with it', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      await scheduler.scheduleJob('digest', 'op-elsewhere', { runAt: env.ahead(10 * DAY) });

      const from = env.now().getTime();
      const hourly = await scheduler.rescheduleJob('digest', { trigger: { every: '1h' } });
      expect(hourly.schedule).toEqual({ type: 'interval', everyMs: HOUR });
      expect(hourly.nextRunTime.getTime()).toBeGreaterThanOrEqual(from + HOUR);
      expect(hourly.nextRunTime.getTime()).toBeLessThanOrEqual(env.now().getTime() + HOUR);

      const at = env.ahead(2 * DAY);
      const lisbon = await scheduler.rescheduleJob('digest', {
        trigger: { cron: '0 9 * * *', timeZone: 'Europe/Lisbon' },
        runAt: at,
      });
      expect(lisbon.schedule).toEqual({ type: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Lisbon' });
      expect(lisbon.nextRunTime).toEqual(at);
      expect(await scheduler.getScheduledJob('digest')).toMatchObject({
        schedule: lisbon.schedule,
        nextRunTime: at,
      });
    });

    it('refuses a reschedule without a valid runAt or trigger', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      await scheduler.scheduleJob('x', 'op-elsewhere', { runAt: env.ahead(DAY) });
      await expect(scheduler.rescheduleJob('x', {})).rejects.toThrow(InvalidArgumentError);
      await expect(scheduler.rescheduleJob('x', { runAt: new Date(Number.NaN) })).rejects.toThrow(
        InvalidArgumentError,
      );
    });
  });
}
