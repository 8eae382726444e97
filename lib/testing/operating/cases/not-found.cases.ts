import { JobNotFoundError } from '../../../core/errors/index.js';
import { DAY } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** Every control call names an unknown slug with JobNotFoundError. */
export function notFoundCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('unknown slugs', () => {
    it('throw JobNotFoundError from every call that names a task', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      await scheduler.scheduleJob('known', 'op-elsewhere', { runAt: env.ahead(DAY) });
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['pauseJob', () => scheduler.pauseJob('ghost')],
        ['resumeJob', () => scheduler.resumeJob('ghost')],
        ['triggerJob', () => scheduler.triggerJob('ghost')],
        ['rescheduleJob', () => scheduler.rescheduleJob('ghost', { runAt: env.ahead(DAY) })],
        ['getScheduledJob', () => scheduler.getScheduledJob('ghost')],
        ['deleteJob', () => scheduler.deleteJob('ghost')],
      ];
      for (const [name, call] of calls) {
        const error = await call().then(
          () => null,
          (thrown: unknown) => thrown,
        );
        expect([name, error]).toEqual([name, expect.any(JobNotFoundError)]);
        expect((error as JobNotFoundError).slug).toBe('ghost');
      }
      // Nothing was created on the way, and the known task is untouched.
      expect(await scheduler.getJobSlugs()).toEqual(['known']);
      expect(await scheduler.getScheduledJob('known')).toMatchObject({ paused: false, state: 'scheduled' });
      // History of a slug that never ran (or no longer exists) is empty, not an error.
      expect(await scheduler.getJobHistory('ghost')).toEqual([]);
    });
  });
}
