import { collect, HOUR, MINUTE, slugsOf } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** pauseJob / resumeJob / pauseKind / resumeKind. */
export function pauseCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('pause and resume', () => {
    it('never claims a paused task, and runs it once it is resumed', async () => {
      const { env } = ctx;
      const job = env.job('op-once');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.scheduleJob('invoice-1', 'op-once', { runAt: env.ahead(HOUR), payload: { n: 1 } });
      await scheduler.pauseJob('invoice-1');
      // Due now, yet paused.
      await scheduler.rescheduleJob('invoice-1', { runAt: env.ago(MINUTE) });
      await scheduler.start();
      await scheduler.whenIdle();

      expect(job.runs).toEqual([]);
      const paused = await scheduler.getScheduledJob('invoice-1');
      expect(paused).toMatchObject({ paused: true, state: 'paused', lockedBy: null });
      expect(slugsOf(await scheduler.listJobs({ state: 'paused' }))).toEqual(['invoice-1']);
      expect(slugsOf(await scheduler.listJobs({ state: 'scheduled' }))).toEqual([]);

      await scheduler.resumeJob('invoice-1');
      await scheduler.whenIdle();
      expect(job.slugs()).toEqual(['invoice-1']);
      expect(job.runs[0]!.payload).toEqual({ n: 1 });
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });

    it('pausing and resuming are idempotent and leave the run time alone', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      const runAt = env.ahead(HOUR);
      await scheduler.scheduleJob('report', 'op-elsewhere', { runAt });
      await scheduler.pauseJob('report');
      await scheduler.pauseJob('report');
      expect(await scheduler.getScheduledJob('report')).toMatchObject({ paused: true, nextRunTime: runAt });
      await scheduler.resumeJob('report');
      await scheduler.resumeJob('report');
      expect(await scheduler.getScheduledJob('report')).toMatchObject({
        paused: false,
        state: 'scheduled',
        nextRunTime: runAt,
      });
    });

    it('resuming a recurring task continues under its misfire policy, and a pause is no misfire', async () => {
      const { env } = ctx;
      const fireOnce = env.job('op-fire-once');
      const skip = env.job('op-skip');
      const scheduler = env.scheduler();
      scheduler.registerJob(fireOnce);
      scheduler.registerJob(skip, { misfirePolicy: 'skip' });
      const misfired = collect(scheduler, 'job.misfired');
      // Paused three and a half periods ago: three fires passed while paused.
      const anchor = env.ago(3 * HOUR + 30 * MINUTE);
      for (const [slug, kind] of [
        ['hourly-a', 'op-fire-once'],
        ['hourly-b', 'op-skip'],
      ]) {
        await scheduler.scheduleJob(slug!, kind!, { trigger: { every: '1h' }, runAt: anchor });
        await scheduler.pauseJob(slug!);
      }
      await scheduler.start();
      await scheduler.whenIdle();
      expect([...fireOnce.runs, ...skip.runs]).toEqual([]);

      const before = env.now().getTime();
      await scheduler.resumeJob('hourly-a');
      const after = env.now().getTime();
      await scheduler.resumeJob('hourly-b');
      await scheduler.whenIdle();

      // fire-once: one run at the resume (not late), then every hour from it.
      expect(fireOnce.runs).toHaveLength(1);
      const ranFor = fireOnce.runs[0].scheduledAt.getTime();
      expect(ranFor).toBeGreaterThanOrEqual(before);
      expect(ranFor).toBeLessThanOrEqual(after);
      expect(await scheduler.getScheduledJob('hourly-a')).toMatchObject({
        state: 'scheduled',
        nextRunTime: new Date(ranFor + HOUR),
        retry: 0,
      });
      // skip: no run; straight to the next fire after now, on the schedule's grid.
      expect(skip.runs).toEqual([]);
      expect((await scheduler.getScheduledJob('hourly-b')).nextRunTime).toEqual(
        new Date(anchor.getTime() + 4 * HOUR),
      );
      // The fires a pause skipped were skipped on purpose: no misfire.
      expect(misfired).toEqual([]);
    });

    it('pauses and resumes a whole kind, and leaves other kinds running', async () => {
      const { env } = ctx;
      const mail = env.job('op-mail');
      const sms = env.job('op-sms');
      const scheduler = env.scheduler();
      scheduler.registerJob(mail);
      scheduler.registerJob(sms);
      for (const slug of ['mail-1', 'mail-2', 'mail-3']) {
        await scheduler.scheduleJob(slug, 'op-mail', { runAt: env.ago(MINUTE) });
      }
      await scheduler.scheduleJob('sms-1', 'op-sms', { runAt: env.ago(MINUTE) });

      expect(await scheduler.pauseKind('op-mail')).toBe(3);
      expect(await scheduler.pauseKind('op-mail')).toBe(0);
      expect(await scheduler.pauseKind('op-unknown-kind')).toBe(0);
      await scheduler.start();
      await scheduler.whenIdle();

      expect(mail.runs).toEqual([]);
      expect(sms.slugs()).toEqual(['sms-1']);
      expect(slugsOf(await scheduler.listJobs({ kind: 'op-mail', state: 'paused' }))).toEqual([
        'mail-1',
        'mail-2',
        'mail-3',
      ]);

      // pauseKind is a one-off on the tasks that exist: a task created afterwards is not paused.
      await scheduler.scheduleJob('mail-4', 'op-mail', { runAt: env.ago(MINUTE) });
      await scheduler.whenIdle();
      expect(mail.slugs()).toEqual(['mail-4']);

      expect(await scheduler.resumeKind('op-mail')).toBe(3);
      await scheduler.whenIdle();
      expect(mail.slugs().sort()).toEqual(['mail-1', 'mail-2', 'mail-3', 'mail-4']);
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });
  });
}
