import { ExponentialBackoff, FixedBackoff } from '../../lib/core/backoff.js';
import {
  InvalidCronExpressionError,
  InvalidPayloadError,
  JobAlreadyRegisteredError,
  JobAlreadyScheduledError,
  JobNotFoundError,
  UnsupportedTriggerError,
} from '../../lib/core/errors/index.js';
import type { Trigger } from '../../lib/core/schedule/trigger.js';
import { RecordingJob, T0, at, virtualSetup } from '../support/scheduler-fixtures.js';

describe('StdScheduler: outcome rules through the run loop (virtual clock)', () => {
  let env: ReturnType<typeof virtualSetup>;
  beforeEach(() => {
    env = virtualSetup({ instanceId: 'a' });
  });
  afterEach(async () => {
    await env.scheduler.stop({ timeoutMs: 0 });
  });

  it('runs a one-time job when due, with its payload, then deletes it', async () => {
    const job = new RecordingJob('once', env.clock);
    env.scheduler.registerJob(job);
    await env.scheduler.start();
    await env.scheduler.scheduleJob('tx-1', job, { delay: 5000, payload: { id: 'abc' } });
    await env.advance(4999);
    expect(job.runs).toHaveLength(0);
    await env.advance(1);
    expect(job.runs).toEqual([
      expect.objectContaining({ slug: 'tx-1', attempt: 1, scheduledAt: at(5000), payload: { id: 'abc' } }),
    ]);
    expect(job.runs[0]!.startedAt).toEqual(at(5000));
    await expect(env.scheduler.getScheduledJob('tx-1')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('reschedules a recurring job at each next fire with retry reset and the result kept', async () => {
    const job = new RecordingJob('tick', env.clock, (task, _ctx, n) => ({ ...task, result: `run ${n}` }));
    env.scheduler.registerJob(job, { trigger: '*/10 * * * * *' });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('tick', 'tick');
    expect((await env.scheduler.getScheduledJob('tick')).nextRunTime).toEqual(at(10_000));
    for (let i = 0; i < 3; i++) await env.advance(10_000);
    expect(job.runs.map((r) => r.scheduledAt)).toEqual([at(10_000), at(20_000), at(30_000)]);
    const stored = await env.scheduler.getScheduledJob('tick');
    expect(stored).toMatchObject({ nextRunTime: at(40_000), retry: 0, result: 'run 3', state: 'scheduled' });
  });

  it('gives each slug its own trigger, so one kind can have many schedules', async () => {
    const job = new RecordingJob('report', env.clock);
    env.scheduler.registerJob(job);
    await env.scheduler.start();
    await env.scheduler.scheduleJob('tenant-a', 'report', { trigger: { every: '2s' } });
    await env.scheduler.scheduleJob('tenant-b', 'report', {
      trigger: { cron: '*/3 * * * * *', timeZone: 'Europe/Lisbon' },
    });
    for (let i = 0; i < 6; i++) await env.advance(1000);
    const bySlug = (slug: string) => job.runs.filter((r) => r.slug === slug).map((r) => r.scheduledAt);
    expect(bySlug('tenant-a')).toEqual([at(2000), at(4000), at(6000)]);
    expect(bySlug('tenant-b')).toEqual([at(3000), at(6000)]);
    expect((await env.scheduler.getScheduledJob('tenant-a')).schedule).toEqual({
      type: 'interval',
      everyMs: 2000,
    });
  });

  it('reschedules at the runAt a job moved later, and stores a changed payload', async () => {
    const job = new RecordingJob('poll', env.clock, (task, _ctx, n) =>
      n < 3 ? { ...task, runAt: new Date(task.runAt.getTime() + 60_000), payload: { n } } : undefined,
    );
    env.scheduler.registerJob(job);
    await env.scheduler.start();
    await env.scheduler.scheduleJob('p', 'poll', { payload: { n: 0 } });
    await env.advance(0);
    expect(await env.scheduler.getScheduledJob('p')).toMatchObject({
      nextRunTime: at(60_000),
      payload: { n: 1 },
    });
    await env.advance(60_000);
    await env.advance(60_000);
    expect(job.runs.map((r) => r.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    await expect(env.scheduler.getScheduledJob('p')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('removes a recurring task whose job resolves with null', async () => {
    const job = new RecordingJob('stopper', env.clock, () => null);
    env.scheduler.registerJob(job, { trigger: '@every 1s' });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('s', 'stopper');
    await env.advance(1000);
    await env.advance(1000);
    expect(job.runs).toHaveLength(1);
    expect(await env.scheduler.getJobSlugs()).toEqual([]);
  });

  it('retries a failure after the backoff, with retry + 1 and the error message as result', async () => {
    const job = new RecordingJob('flaky', env.clock, (_t, _c, n) => {
      if (n < 3) throw new Error(`boom ${n}`);
    });
    env.scheduler.registerJob(job, { backoff: new FixedBackoff([1000, 5000]) });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('f', 'flaky');
    await env.advance(0);
    expect(await env.scheduler.getScheduledJob('f')).toMatchObject({
      retry: 1,
      result: 'boom 1',
      nextRunTime: at(1000),
      failed: false,
    });
    await env.advance(1000);
    expect(await env.scheduler.getScheduledJob('f')).toMatchObject({
      retry: 2,
      result: 'boom 2',
      nextRunTime: at(6000),
    });
    await env.advance(5000);
    expect(job.runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    await expect(env.scheduler.getScheduledJob('f')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('uses a custom backoff function', async () => {
    const job = new RecordingJob('fn', env.clock, () => {
      throw new Error('no');
    });
    env.scheduler.registerJob(job, { backoff: (attempt) => attempt * 7000 });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('f', 'fn');
    await env.advance(0);
    await env.advance(7000);
    expect((await env.scheduler.getScheduledJob('f')).nextRunTime).toEqual(at(7000 + 14_000));
  });

  it('keeps a one-time task as failed after maxRetries, visible, and retryable with replace', async () => {
    let healthy = false;
    const job = new RecordingJob('fragile', env.clock, () => {
      if (!healthy) throw new Error('still broken');
    });
    env.scheduler.registerJob(job, { maxRetries: 2, backoff: new FixedBackoff([1000]) });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('x', 'fragile', { payload: 'keep me' });
    for (let i = 0; i < 5; i++) await env.advance(1000);
    expect(job.runs).toHaveLength(3);
    const failed = await env.scheduler.getScheduledJob('x');
    expect(failed).toMatchObject({
      failed: true,
      state: 'failed',
      retry: 3,
      result: 'still broken',
      payload: 'keep me',
    });
    expect((await env.scheduler.listJobs({ state: 'failed' })).tasks.map((t) => t.slug)).toEqual(['x']);

    healthy = true;
    await env.scheduler.scheduleJob('x', 'fragile', { payload: 'keep me', replace: true });
    await env.advance(0);
    expect(job.runs).toHaveLength(4);
    expect(await env.scheduler.getJobSlugs()).toEqual([]);
  });

  it('moves a recurring task on to its next regular fire after maxRetries', async () => {
    const job = new RecordingJob('cronfail', env.clock, () => {
      throw new Error('down');
    });
    env.scheduler.registerJob(job, {
      trigger: '0 * * * *',
      maxRetries: 1,
      backoff: new FixedBackoff([60_000]),
    });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('c', 'cronfail');
    await env.advance(3_600_000);
    await env.advance(60_000);
    expect(job.runs.map((r) => r.attempt)).toEqual([1, 2]);
    expect(await env.scheduler.getScheduledJob('c')).toMatchObject({
      failed: false,
      retry: 0,
      result: 'down',
      nextRunTime: at(2 * 3_600_000),
    });
  });

  it('leaves a task of a kind it does not know in the store, untouched', async () => {
    env.scheduler.registerJob(new RecordingJob('known', env.clock));
    await env.scheduler.start();
    await env.scheduler.scheduleJob('foreign', 'unknown-kind', { payload: { a: 1 } });
    await env.advance(60_000);
    expect(await env.scheduler.getScheduledJob('foreign')).toMatchObject({
      kind: 'unknown-kind',
      nextRunTime: T0,
      retry: 0,
      payload: { a: 1 },
      lockedBy: null,
    });
  });

  it('applies misfire policies after downtime', async () => {
    const runs: Record<string, Date[]> = { 'fire-once': [], 'catch-up': [], skip: [] };
    for (const policy of ['fire-once', 'catch-up', 'skip'] as const) {
      env.scheduler.registerJob(
        {
          kind: policy,
          execute: async (_task, ctx) => {
            runs[policy]!.push(ctx.scheduledAt);
          },
        },
        { trigger: '@every 10s', misfirePolicy: policy },
      );
      await env.scheduler.scheduleJob(policy, policy);
    }
    // Nobody runs the tasks for 35 s, then an instance starts.
    env.clock.advanceBy(35_000);
    await env.scheduler.start();
    await env.scheduler.whenIdle();
    expect(runs['fire-once']).toEqual([at(10_000)]);
    expect(runs['skip']).toEqual([]);
    expect(runs['catch-up']).toEqual([at(10_000), at(20_000), at(30_000)]);
    for (const policy of ['fire-once', 'catch-up', 'skip']) {
      expect((await env.scheduler.getScheduledJob(policy)).nextRunTime).toEqual(at(40_000));
    }
  });

  it('respects maxConcurrency and per-kind concurrency', async () => {
    const release: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const blocking = (kind: string) => ({
      kind,
      execute: () =>
        new Promise<void>((resolve) => {
          running++;
          peak = Math.max(peak, running);
          release.push(() => {
            running--;
            resolve();
          });
        }),
    });
    const env2 = virtualSetup({ maxConcurrency: 3 });
    env2.scheduler.registerJob(blocking('solo'), { concurrency: 1 });
    env2.scheduler.registerJob(blocking('many'));
    await env2.scheduler.start();
    for (let i = 0; i < 5; i++) {
      await env2.scheduler.scheduleJob(`solo-${i}`, 'solo');
      await env2.scheduler.scheduleJob(`many-${i}`, 'many');
    }
    let completed = 0;
    while (completed < 10) {
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(3);
      const next = release.shift();
      if (next) {
        next();
        completed++;
      }
    }
    await env2.scheduler.whenIdle();
    expect(peak).toBe(3);
    expect(await env2.scheduler.getJobSlugs()).toEqual([]);
    await env2.scheduler.stop();
  });
});

describe('StdScheduler: input errors', () => {
  const env = virtualSetup();

  it('refuses a kind registered twice', () => {
    env.scheduler.registerJob(new RecordingJob('dup', env.clock));
    expect(() => env.scheduler.registerJob(new RecordingJob('dup', env.clock))).toThrow(
      JobAlreadyRegisteredError,
    );
  });

  it('refuses an invalid cron at registration and at scheduling, writing nothing', async () => {
    expect(() =>
      env.scheduler.registerJob(new RecordingJob('bad', env.clock), { trigger: '* * * *' }),
    ).toThrow(InvalidCronExpressionError);
    await expect(env.scheduler.scheduleJob('s', 'k', { trigger: '61 * * * *' })).rejects.toBeInstanceOf(
      InvalidCronExpressionError,
    );
    expect(await env.scheduler.getJobSlugs()).toEqual([]);
  });

  it('refuses a payload that cannot be stored before anything is written', async () => {
    for (const payload of [{ when: new Date() }, { n: NaN }, { f: () => 1 }, [undefined]] as unknown[]) {
      await expect(env.scheduler.scheduleJob('p', 'k', { payload: payload as never })).rejects.toBeInstanceOf(
        InvalidPayloadError,
      );
    }
    expect(await env.scheduler.getJobSlugs()).toEqual([]);
  });

  it('refuses a duplicate slug unless replace, and a custom trigger that cannot be stored', async () => {
    await env.scheduler.scheduleJob('one', 'k');
    await expect(env.scheduler.scheduleJob('one', 'k')).rejects.toBeInstanceOf(JobAlreadyScheduledError);
    await env.scheduler.scheduleJob('one', 'k', { replace: true, payload: 2 });
    expect((await env.scheduler.getScheduledJob('one')).payload).toBe(2);
    const custom: Trigger = { nextFireTime: (prev) => new Date(prev.getTime() + 5) };
    await expect(env.scheduler.scheduleJob('two', 'k', { trigger: custom })).rejects.toBeInstanceOf(
      UnsupportedTriggerError,
    );
  });

  it('throws JobNotFoundError for unknown slugs', async () => {
    await expect(env.scheduler.deleteJob('nope')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(env.scheduler.getScheduledJob('nope')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(env.scheduler.pauseJob('nope')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it('accepts a custom trigger at registration', async () => {
    const job = new RecordingJob('custom', env.clock);
    const custom: Trigger = { nextFireTime: (prev) => new Date(prev.getTime() + 1234) };
    env.scheduler.registerJob(job, { trigger: custom, backoff: new ExponentialBackoff() });
    await env.scheduler.scheduleJob('c', 'custom');
    expect((await env.scheduler.getScheduledJob('c')).nextRunTime).toEqual(at(1234));
  });
});
