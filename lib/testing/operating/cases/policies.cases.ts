import { InvalidArgumentError } from '../../../core/errors/index.js';
import { collect, HOUR, MINUTE, SECOND, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** The scheduling policies of a kind: bounded catch-up, overlap, and backfill of a past window. */
export function policiesCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('scheduling policies', () => {
    it('a bounded catch-up replays only the last maxFires missed fires, then carries on from now', async () => {
      const { env } = ctx;
      const job = env.job('op-catch-up');
      const scheduler = env.scheduler();
      scheduler.registerJob(job, { misfirePolicy: { catchUp: { maxFires: 3 } } });
      // Down for three days: 4,321 fires of a one-minute job passed.
      const anchor = new Date(env.ago(3 * 24 * HOUR).getTime() - (env.now().getTime() % MINUTE));
      await scheduler.scheduleJob('every-minute', 'op-catch-up', { trigger: { every: '1m' }, runAt: anchor });
      await scheduler.start();
      await until(() => job.runs.length >= 3, 'the replayed fires');
      await scheduler.whenIdle();
      expect(job.runs).toHaveLength(3);
      const replayed = job.runs.map((run) => run.scheduledAt.getTime());
      // Consecutive fires, the latest no later than now.
      expect(replayed[1] - replayed[0]).toBe(MINUTE);
      expect(replayed[2] - replayed[1]).toBe(MINUTE);
      const next = (await scheduler.getScheduledJob('every-minute')).nextRunTime.getTime();
      expect(next - replayed[2]).toBe(MINUTE);
      expect(next).toBeGreaterThan(env.now().getTime() - MINUTE);
    });

    it("overlap 'buffer-one' runs once more right after a run that a fire came due during", async () => {
      const { env } = ctx;
      const job = env.job('op-overlap');
      const scheduler = env.scheduler();
      scheduler.registerJob(job, { overlap: 'buffer-one' });
      await scheduler.scheduleJob('slow-tick', 'op-overlap', {
        trigger: { every: '1s' },
        runAt: env.ago(100),
      });
      job.hold('slow-tick');
      await scheduler.start();
      await until(() => job.runs.length === 1, 'the first run');
      // Three fires come due while it runs.
      await env.harness.advance(3 * SECOND + 500);
      job.release('slow-tick');
      await until(() => job.runs.length === 2, 'the buffered run');
      const [first, second] = job.runs.map((run) => run.scheduledAt.getTime());
      // The buffered run is for the latest fire that came due during the first: on its grid.
      expect((second - first) % SECOND).toBe(0);
      expect(second - first).toBeGreaterThanOrEqual(3 * SECOND);
    });

    it('backfill runs the fires of a past window once each, in order, and only once however often asked', async () => {
      const { env } = ctx;
      const job = env.job('op-report');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      const hour = new Date(env.now().getTime() - (env.now().getTime() % HOUR));
      await scheduler.scheduleJob('hourly-report', 'op-report', {
        trigger: { every: '1h' },
        runAt: new Date(hour.getTime() + HOUR),
        payload: { tenant: 't1' },
      });
      const window = { from: new Date(hour.getTime() - 5 * HOUR), to: new Date(hour.getTime() - 3 * HOUR) };
      const first = await scheduler.backfill('hourly-report', window);
      expect(first.created).toBe(3);
      expect((await scheduler.backfill('hourly-report', window)).skipped).toBe(3);

      const started = collect(scheduler, 'job.started');
      await scheduler.start();
      await until(() => job.runs.length === 3, 'the backfilled fires');
      await scheduler.whenIdle();
      expect(job.runs.map((run) => run.scheduledAt)).toEqual([
        new Date(hour.getTime() - 5 * HOUR),
        new Date(hour.getTime() - 4 * HOUR),
        new Date(hour.getTime() - 3 * HOUR),
      ]);
      expect(job.runs.every((run) => (run.payload as { tenant: string }).tenant === 't1')).toBe(true);
      expect(started).toHaveLength(3);
      // The recurring task itself is as it was.
      expect((await scheduler.getScheduledJob('hourly-report')).nextRunTime).toEqual(
        new Date(hour.getTime() + HOUR),
      );

      await scheduler.scheduleJob('once', 'op-report', { delay: HOUR });
      await expect(scheduler.backfill('once', window)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(
        scheduler.backfill('hourly-report', { from: window.from, to: env.ahead(HOUR) }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
}
