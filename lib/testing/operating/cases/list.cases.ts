import { InvalidArgumentError } from '../../../core/errors/index.js';
import type { StdScheduler } from '../../../core/scheduler.js';
import type { ListJobsOptions } from '../../../core/scheduler.types.js';
import type { StoreTask } from '../../../core/job.js';
import { collect, DAY, MINUTE, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

const PAGE = 25;

/** Every page of a listing, following the cursor. */
async function listAll(
  scheduler: StdScheduler,
  options: Omit<ListJobsOptions, 'cursor' | 'limit'>,
): Promise<{ tasks: StoreTask[]; pages: number }> {
  const tasks: StoreTask[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await scheduler.listJobs({ ...options, limit: PAGE, cursor });
    if (page.tasks.length > PAGE)
      throw new Error(`a page of ${page.tasks.length} tasks, more than the limit ${PAGE}`);
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 100) throw new Error('the cursor never ends');
  } while (cursor !== null);
  return { tasks, pages };
}

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
}

async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 20) await Promise.all(items.slice(i, i + 20).map(run));
}

/** listJobs: states, kinds, cursor. */
export function listCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('listing', () => {
    it('lists many tasks a page at a time, by state and kind, each task once', async () => {
      const { env } = ctx;
      const hold = env.job('op-hold');
      const fail = env.job('op-fail', () => {
        throw new Error('always');
      });
      const scheduler = env.scheduler();
      scheduler.registerJob(hold);
      scheduler.registerJob(fail, { maxRetries: 0 });

      const future = numbered('list-future', 150);
      const other = numbered('list-other', 20);
      const paused = numbered('list-paused', 5);
      const failed = numbered('list-failed', 3);
      const running = numbered('list-running', 2);
      await inChunks(future, (slug) =>
        scheduler.scheduleJob(slug, 'op-list', { runAt: env.ahead(DAY), payload: slug }),
      );
      await inChunks(other, (slug) =>
        scheduler.scheduleJob(slug, 'op-list-other', { runAt: env.ahead(DAY) }),
      );
      await inChunks(paused, async (slug) => {
        await scheduler.scheduleJob(slug, 'op-list', { runAt: env.ahead(DAY) });
        await scheduler.pauseJob(slug);
      });
      await inChunks(failed, (slug) => scheduler.scheduleJob(slug, 'op-fail', { runAt: env.ago(MINUTE) }));
      for (const slug of running) hold.hold(slug);
      await inChunks(running, (slug) => scheduler.scheduleJob(slug, 'op-hold', { runAt: env.ago(MINUTE) }));

      const dead = collect(scheduler, 'job.dead');
      await scheduler.start();
      await until(() => hold.runs.length === 2 && dead.length === 3, 'two held runs and three failures');
      // The failures' outcomes are written just after their events.
      await until(
        async () => (await scheduler.listJobs({ state: 'failed' })).tasks.length === 3,
        'the failed tasks to be written',
      );

      const everything = await listAll(scheduler, {});
      const all = [...future, ...other, ...paused, ...failed, ...running].sort();
      expect(everything.tasks.map((task) => task.slug)).toEqual(all);
      expect(everything.pages).toBe(Math.ceil(all.length / PAGE));

      const bySlugs = async (options: Omit<ListJobsOptions, 'cursor' | 'limit'>) =>
        (await listAll(scheduler, options)).tasks.map((task) => task.slug);
      expect(await bySlugs({ state: 'running' })).toEqual(running);
      expect(await bySlugs({ state: 'failed' })).toEqual(failed);
      expect(await bySlugs({ state: 'paused' })).toEqual(paused);
      expect(await bySlugs({ state: 'scheduled' })).toEqual([...future, ...other].sort());
      expect(await bySlugs({ kind: 'op-list-other' })).toEqual(other);
      expect(await bySlugs({ kind: 'op-list', state: 'paused' })).toEqual(paused);
      expect(await bySlugs({ kind: 'op-list', state: 'scheduled' })).toEqual(future);
      expect(await bySlugs({ kind: 'op-hold', state: 'scheduled' })).toEqual([]);

      const runningTask = (await scheduler.listJobs({ state: 'running', limit: 1 })).tasks[0]!;
      expect(runningTask.lockedBy).toBe(scheduler.instanceId);
      expect(await scheduler.getScheduledJob(runningTask.slug)).toMatchObject({ state: 'running' });
      const firstFuture = (await scheduler.listJobs({ kind: 'op-list', limit: 1 })).tasks[0]!;
      expect(firstFuture).toMatchObject({ slug: future[0], kind: 'op-list', payload: future[0] });

      hold.releaseAll();
      await scheduler.whenIdle();
      expect(await bySlugs({ state: 'running' })).toEqual([]);
    });

    it('refuses a page size outside 1..1000', async () => {
      const scheduler = ctx.env.scheduler();
      await expect(scheduler.listJobs({ limit: 0 })).rejects.toThrow(InvalidArgumentError);
      await expect(scheduler.listJobs({ limit: 1001 })).rejects.toThrow(InvalidArgumentError);
      await expect(scheduler.listJobs({ limit: 2.5 })).rejects.toThrow(InvalidArgumentError);
      expect(await scheduler.listJobs({ limit: 1000 })).toEqual({ tasks: [], nextCursor: null });
    });
  });
}
