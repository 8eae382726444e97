import { InvalidArgumentError, InvalidItemError } from '../../../core/errors/index.js';
import type { StoreTask } from '../../../core/job.js';
import type { StdScheduler } from '../../../core/scheduler.js';
import { ControlledJob, type OperatingEnv } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** Instances sharing the store in the peak tests. */
const INSTANCES = 3;

/**
 * Counts the runs in flight, overall and per concurrency key, and keeps the peaks: what a limit
 * promises is about these, seen by the jobs themselves.
 */
class PeakRecorder {
  private active = 0;
  private readonly activeByKey = new Map<string, number>();
  peak = 0;
  readonly peakByKey = new Map<string, number>();
  done = 0;

  async around(key: string, work: () => Promise<void>): Promise<void> {
    this.active += 1;
    this.peak = Math.max(this.peak, this.active);
    const byKey = (this.activeByKey.get(key) ?? 0) + 1;
    this.activeByKey.set(key, byKey);
    this.peakByKey.set(key, Math.max(this.peakByKey.get(key) ?? 0, byKey));
    try {
      await work();
    } finally {
      this.active -= 1;
      this.activeByKey.set(key, (this.activeByKey.get(key) ?? 1) - 1);
      this.done += 1;
    }
  }
}

/** A job that holds each run for a little real time, inside the recorder. */
function recordingJob(env: OperatingEnv, kind: string, recorder: PeakRecorder): ControlledJob {
  return env.job(kind, async (task: StoreTask) => {
    await recorder.around(task.concurrencyKey ?? '', () => new Promise((resolve) => setTimeout(resolve, 15)));
  });
}

/**
 * Lets store time pass in small steps until `check` holds (instances whose claim was refused by a
 * limit back off on the shared clock: a virtual one only moves when told). Bounds a hang only.
 */
async function drive(
  env: OperatingEnv,
  check: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await env.harness.advance(25);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Schedulers on the one store, each free to run more than the limit on its own. */
function instances(env: OperatingEnv): StdScheduler[] {
  return Array.from({ length: INSTANCES }, () => env.scheduler({ maxConcurrency: 4, heartbeat: 100 }));
}

/** Cluster-wide limits and priorities, with several instances on one store. */
export function limitsCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('cluster-wide limits and priorities', () => {
    it('globalConcurrency: the peak of concurrent runs over several instances never exceeds it', async () => {
      const { env } = ctx;
      const recorder = new PeakRecorder();
      const schedulers = instances(env);
      for (const scheduler of schedulers) {
        scheduler.registerJob(recordingJob(env, 'op-global', recorder), { globalConcurrency: 2 });
      }
      await schedulers[0]!.scheduleJobs(
        Array.from({ length: 12 }, (_, i) => ({
          slug: `global-${i}`,
          kind: 'op-global',
          runAt: env.ago(1000 - i),
        })),
      );
      await Promise.all(schedulers.map((scheduler) => scheduler.start()));
      await drive(env, () => recorder.done === 12, 'the twelve runs');
      expect(recorder.peak).toBeLessThanOrEqual(2);
      expect(recorder.peak).toBeGreaterThanOrEqual(1);
    });

    it('concurrencyKey: at most keyConcurrency runs per key at once over several instances', async () => {
      const { env } = ctx;
      const recorder = new PeakRecorder();
      const schedulers = instances(env);
      for (const scheduler of schedulers) {
        scheduler.registerJob(recordingJob(env, 'op-tenant', recorder), {
          concurrencyKey: (task) => (task.payload as { tenant: string }).tenant,
        });
      }
      await schedulers[0]!.scheduleJobs(
        Array.from({ length: 12 }, (_, i) => ({
          slug: `sync-${i}`,
          kind: 'op-tenant',
          payload: { tenant: `tenant-${i % 3}` },
          runAt: env.ago(1000 - i),
        })),
      );
      expect((await schedulers[1]!.getScheduledJob('sync-4')).concurrencyKey).toBe('tenant-1');
      await Promise.all(schedulers.map((scheduler) => scheduler.start()));
      await drive(env, () => recorder.done === 12, 'the twelve syncs');
      expect([...recorder.peakByKey.keys()].sort()).toEqual(['tenant-0', 'tenant-1', 'tenant-2']);
      for (const peak of recorder.peakByKey.values()) expect(peak).toBe(1);
    });

    it('rateLimit: over the limit, tasks wait due (not failed) until the window lets them start', async () => {
      const { env } = ctx;
      const recorder = new PeakRecorder();
      const schedulers = instances(env);
      for (const scheduler of schedulers) {
        scheduler.registerJob(recordingJob(env, 'op-rate', recorder), { rateLimit: { max: 2, perMs: 3000 } });
      }
      await schedulers[0]!.scheduleJobs(
        Array.from({ length: 4 }, (_, i) => ({
          slug: `call-${i}`,
          kind: 'op-rate',
          runAt: env.ago(1000 - i),
        })),
      );
      await Promise.all(schedulers.map((scheduler) => scheduler.start()));
      await drive(env, () => recorder.done === 2, 'the first two calls');
      // Within the window (well under its 3 s of store time): no third start.
      await env.harness.advance(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(recorder.done).toBe(2);
      const waiting = await schedulers[0]!.getScheduledJob('call-2');
      expect(waiting).toMatchObject({ failed: false, retry: 0, state: 'scheduled' });
      await drive(env, () => recorder.done === 4, 'the other two, in the next window');
    });

    it('priority: a flood of due low-priority work does not hold back a high-priority task', async () => {
      const { env } = ctx;
      const job = env.job('op-priority');
      const scheduler = env.scheduler({ maxConcurrency: 1, batchSize: 1 });
      scheduler.registerJob(job, { priority: -1 });
      await scheduler.scheduleJobs(
        Array.from({ length: 200 }, (_, i) => ({
          slug: `bulk-${i}`,
          kind: 'op-priority',
          runAt: env.ago(10_000 - i),
        })),
      );
      await scheduler.scheduleJob('urgent', 'op-priority', { priority: 10, runAt: env.ago(1) });
      expect((await scheduler.getScheduledJob('bulk-0')).priority).toBe(-1);
      expect((await scheduler.getScheduledJob('urgent')).priority).toBe(10);
      await scheduler.start();
      await drive(env, () => job.runs.length >= 2, 'two runs');
      expect(job.runs[0]!.slug).toBe('urgent');
      expect(job.runs[1]!.slug).toBe('bulk-0');
    });

    it('refuses bad limits, priorities and keys with InvalidArgumentError before anything is written', async () => {
      const { env } = ctx;
      const scheduler = env.scheduler();
      const bad: unknown[] = [
        { globalConcurrency: 0 },
        { globalConcurrency: 2.5 },
        { rateLimit: { max: 0, perMs: 1000 } },
        { rateLimit: { max: 5 } },
        { rateLimit: 10 },
        { keyConcurrency: 2 },
        { concurrencyKey: 'tenant' },
        { priority: 1001 },
      ];
      for (const [i, options] of bad.entries()) {
        expect(() => scheduler.registerJob(env.job(`op-bad-${i}`), options as object)).toThrow(
          InvalidArgumentError,
        );
      }
      scheduler.registerJob(env.job('op-keyed'), {
        concurrencyKey: (task) => (task.payload as { key: string }).key,
      });
      await expect(
        scheduler.scheduleJob('p', 'op-keyed', { priority: -1001, payload: { key: 'a' } }),
      ).rejects.toThrow(InvalidArgumentError);
      await expect(scheduler.scheduleJob('k', 'op-keyed', { payload: { key: '' } })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(
        scheduler.scheduleJobs([
          { slug: 'fine', kind: 'op-keyed', payload: { key: 'a' } },
          { slug: 'bad', kind: 'op-keyed', payload: { key: 'a' }, priority: 0.5 },
        ]),
      ).rejects.toThrow(InvalidItemError);
      expect(await scheduler.getJobSlugs()).toEqual([]);
    });
  });
}
