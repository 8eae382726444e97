import { InvalidItemError, InvalidSlugError, JobAlreadyScheduledError } from '../../../core/errors/index.js';
import { HOUR, MINUTE, SECOND, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** scheduleJobs: many tasks at once, checked first, with a conflict policy; they then run as any. */
export function bulkCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('scheduleJobs', () => {
    it('schedules many tasks of jobs and kinds, with their own times and schedules, and they run', async () => {
      const { env } = ctx;
      const job = env.job('op-bulk');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      const result = await scheduler.scheduleJobs([
        { slug: 'now-1', kind: job, payload: 1 },
        { slug: 'now-2', kind: 'op-bulk', payload: 2, runAt: env.ago(SECOND) },
        { slug: 'later', kind: 'op-bulk', delay: HOUR },
        { slug: 'hourly', kind: 'op-bulk', trigger: { every: '1h' } },
        { slug: 'paused', kind: 'op-bulk', paused: true },
      ]);
      expect(result).toEqual({
        items: ['now-1', 'now-2', 'later', 'hourly', 'paused'].map((slug) => ({ slug, status: 'created' })),
        created: 5,
        skipped: 0,
        replaced: 0,
      });
      expect(await scheduler.getScheduledJob('hourly')).toMatchObject({
        schedule: { type: 'interval', everyMs: HOUR },
      });
      await scheduler.start();
      await until(() => job.runs.length === 2, 'the two due tasks to run');
      await scheduler.whenIdle();
      expect(job.slugs().sort()).toEqual(['now-1', 'now-2']);
      expect((await scheduler.getJobSlugs()).sort()).toEqual(['hourly', 'later', 'paused']);
    });

    it('refuses a bad item with an InvalidItemError naming its index and cause, and writes nothing', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      const call = scheduler.scheduleJobs([
        { slug: 'fine', kind: 'k' },
        { slug: 'also-fine', kind: 'k', delay: MINUTE },
        { slug: 'x\uD800', kind: 'k' },
      ]);
      await expect(call).rejects.toBeInstanceOf(InvalidItemError);
      const error = (await call.catch((e: unknown) => e)) as InvalidItemError;
      expect(error.index).toBe(2);
      expect(error.cause).toBeInstanceOf(InvalidSlugError);
      expect(error.message).toContain('index 2');
      const twice = (await scheduler
        .scheduleJobs([
          { slug: 'a', kind: 'k' },
          { slug: 'a', kind: 'k' },
        ])
        .catch((e: unknown) => e)) as InvalidItemError;
      expect(twice).toBeInstanceOf(InvalidItemError);
      expect(twice.index).toBe(1);
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });

    it('refuses, skips or replaces existing slugs as onConflict says', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      await scheduler.scheduleJob('exists', 'k', { payload: 'original', delay: HOUR });
      await expect(
        scheduler.scheduleJobs([
          { slug: 'new', kind: 'k' },
          { slug: 'exists', kind: 'k' },
        ]),
      ).rejects.toBeInstanceOf(JobAlreadyScheduledError);
      expect(await scheduler.getJobSlugs()).toEqual(['exists']);

      const skipped = await scheduler.scheduleJobs(
        [
          { slug: 'new', kind: 'k', delay: HOUR },
          { slug: 'exists', kind: 'k', payload: 'other' },
        ],
        { onConflict: 'skip' },
      );
      expect(skipped).toMatchObject({ created: 1, skipped: 1, replaced: 0 });
      expect((await scheduler.getScheduledJob('exists')).payload).toBe('original');

      const replaced = await scheduler.scheduleJobs(
        [{ slug: 'exists', kind: 'k', payload: 'replaced', delay: HOUR }],
        {
          onConflict: 'replace',
        },
      );
      expect(replaced.items).toEqual([{ slug: 'exists', status: 'replaced' }]);
      expect((await scheduler.getScheduledJob('exists')).payload).toBe('replaced');
    });
  });
}
