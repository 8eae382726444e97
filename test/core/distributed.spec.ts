import { VirtualClock } from '../../lib/core/clock.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';
import { withFaults } from '../support/faulty-store.js';
import { CapturingLogger, RecordingJob, T0, at, virtualSetup } from '../support/scheduler-fixtures.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('several schedulers on one store', () => {
  it('two StdSchedulers sharing a MemoryStore never run a fire twice', async () => {
    const clock = new VirtualClock(T0);
    const store = new MemoryStore({ clock });
    const a = virtualSetup({ instanceId: 'a' }, { clock, store });
    const b = virtualSetup({ instanceId: 'b' }, { clock, store });
    const runs: Array<{ slug: string; scheduledAt: number; instance: string }> = [];
    for (const env of [a, b]) {
      const execute = async (task: { slug: string }, ctx: { scheduledAt: Date; instanceId: string }) => {
        runs.push({ slug: task.slug, scheduledAt: ctx.scheduledAt.getTime(), instance: ctx.instanceId });
        await tick();
      };
      env.scheduler.registerJob({ kind: 'tick', execute }, { trigger: '@every 1s' });
      env.scheduler.registerJob({ kind: 'work', execute });
      await env.scheduler.start();
    }
    await a.scheduler.scheduleJob('recurring', 'tick');
    for (let i = 0; i < 50; i++)
      await a.scheduler.scheduleJob(`once-${i}`, 'work', { delay: 500 * (i % 10), payload: i });
    for (let s = 0; s < 10; s++) {
      clock.advanceBy(500);
      await Promise.all([a.scheduler.whenIdle(), b.scheduler.whenIdle()]);
    }
    const keys = runs.map((r) => `${r.slug}@${r.scheduledAt}`);
    expect(new Set(keys).size).toBe(keys.length);
    const recurring = runs.filter((r) => r.slug === 'recurring').map((r) => r.scheduledAt - T0.getTime());
    expect(recurring).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(runs.filter((r) => r.slug.startsWith('once-'))).toHaveLength(50);
    expect(await store.getSlugs()).toEqual(['recurring']);
    expect(new Set(runs.map((r) => r.instance))).toEqual(new Set(['a', 'b']));
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
  });

  it('fences a stale owner: an outcome written after the lease was taken over is rejected', async () => {
    const clock = new VirtualClock(T0);
    const shared = new MemoryStore({ clock });
    const partition = withFaults(shared);
    const loggerA = new CapturingLogger();
    const a = new StdScheduler(partition.store, {
      clock,
      logger: loggerA,
      instanceId: 'a',
      leaseMs: 3000,
      history: { retention: '7d' },
    });
    let finishA!: () => void;
    a.registerJob({
      kind: 'slow',
      execute: (task) =>
        new Promise((resolve) => {
          finishA = () => resolve({ ...task, result: 'by a', runAt: at(3_600_000) });
        }),
    });
    const lost: string[] = [];
    a.on('lease.lost', (e) => lost.push(e.slug));
    await a.start();
    await a.scheduleJob('t', 'slow');
    while (!finishA) await tick();
    expect((await shared.get('t'))?.lockedBy).toBe('a');

    // a can no longer reach the store; its lease runs out; b takes over.
    for (const op of ['extendLease', 'claim', 'nextRun', 'settle'] as const) partition.failing.add(op);
    clock.advanceBy(3001);
    const b = virtualSetup({ instanceId: 'b', leaseMs: 3000 }, { clock, store: shared });
    const jobB = new RecordingJob('slow', clock, (task) => ({
      ...task,
      result: 'by b',
      runAt: at(7_200_000),
    }));
    b.scheduler.registerJob(jobB);
    await b.scheduler.start();
    await b.scheduler.whenIdle();
    expect(jobB.runs).toHaveLength(1);

    partition.failing.clear();
    finishA();
    for (let i = 0; i < 5; i++) await tick();
    const row = await shared.get('t');
    expect(row).toMatchObject({ result: 'by b', runAt: at(7_200_000), lockedBy: null });
    expect(lost).toEqual(['t']);
    // a's run is on record, as a run whose outcome was refused, not as a success
    expect((await shared.getHistory('t', 10)).filter((r) => r.instanceId === 'a')).toEqual([
      expect.objectContaining({ outcome: 'lease-lost', attempt: 1 }),
    ]);
    expect(loggerA.has('warn', 'lease was lost')).toBe(true);
    partition.failing.clear();
    await Promise.all([a.stop({ timeoutMs: 0 }), b.scheduler.stop()]);
  });

  it('survives store errors: logs, backs off, and resumes', async () => {
    const clock = new VirtualClock(T0);
    const faults = withFaults(new MemoryStore({ clock }));
    const logger = new CapturingLogger();
    const scheduler = new StdScheduler(faults.store, { clock, logger, instanceId: 'x' });
    const job = new RecordingJob('j', clock);
    scheduler.registerJob(job);
    await scheduler.start();
    faults.failing.add('claim');
    faults.failing.add('nextRun');
    await scheduler.scheduleJob('s', 'j');
    for (let i = 0; i < 5; i++) {
      clock.advanceBy(1000);
      for (let k = 0; k < 3; k++) await tick();
    }
    expect(job.runs).toHaveLength(0);
    expect(logger.has('error', 'injected fault')).toBe(true);
    faults.failing.clear();
    clock.advanceBy(60_000);
    await scheduler.whenIdle();
    expect(job.runs).toHaveLength(1);
    expect(scheduler.isRunning).toBe(true);
    await scheduler.stop();
  });
});

describe('graceful stop', () => {
  it('waits for a job in flight, then writes its outcome', async () => {
    const env = virtualSetup();
    let finish!: () => void;
    let started = false;
    env.scheduler.registerJob({
      kind: 'long',
      execute: () =>
        new Promise<void>((resolve) => {
          started = true;
          finish = resolve;
        }),
    });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('l', 'long');
    while (!started) await tick();
    let stopped = false;
    const stopping = env.scheduler.stop({ timeoutMs: 60_000 }).then(() => (stopped = true));
    for (let i = 0; i < 5; i++) await tick();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(await env.store.get('l')).toBeNull();
  });

  it('after the timeout aborts the job signal and releases the lease for another instance', async () => {
    const env = virtualSetup({ instanceId: 'a' });
    let signal: AbortSignal | undefined;
    env.scheduler.registerJob({
      kind: 'stuck',
      execute: (_task, ctx) => {
        signal = ctx.signal;
        return new Promise<void>(() => undefined);
      },
    });
    await env.scheduler.start();
    await env.scheduler.scheduleJob('s', 'stuck', { payload: 'p' });
    while (!signal) await tick();
    const stopping = env.scheduler.stop({ timeoutMs: 5000 });
    for (let i = 0; i < 3; i++) await tick();
    env.clock.advanceBy(5000);
    await stopping;
    expect(signal.aborted).toBe(true);
    expect(await env.store.get('s')).toMatchObject({
      lockedBy: null,
      lockedUntil: null,
      runAt: T0,
      payload: 'p',
    });
    expect(env.scheduler.isRunning).toBe(false);
  });
});
