/**
 * The engine against a store that misbehaves (through the fault-injecting wrapper around a real
 * MemoryStore): a store that refuses one outcome, one that stops answering, one that is closed;
 * and the lifecycle promises (concurrent stops, one lease.lost per execution).
 */
import { VirtualClock } from '../../lib/core/clock.js';
import { StoreTimeoutError } from '../../lib/core/errors/index.js';
import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { SchedulerOptions } from '../../lib/core/scheduler.types.js';
import type { TaskOutcome } from '../../lib/core/store/job-store.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { withFaults } from '../support/faulty-store.js';
import { CapturingLogger } from '../support/scheduler-fixtures.js';
import { until } from '../../lib/testing/operating/operating-harness.js';

const SECOND = 1000;

function setup(options: SchedulerOptions = {}) {
  const clock = new VirtualClock();
  const memory = new MemoryStore({ clock });
  const faults = withFaults(memory);
  const logger = new CapturingLogger();
  const scheduler = new StdScheduler(faults.store, { clock, logger, instanceId: 'faults-1', ...options });
  return { clock, memory, faults, logger, scheduler };
}

describe('the engine against a misbehaving store', () => {
  const running: StdScheduler[] = [];
  afterEach(async () => {
    for (const scheduler of running.splice(0)) await scheduler.stop({ timeoutMs: 0 });
  });

  it('isolates an outcome the store refuses: the others of its batch are written, it is kept as failed with the reason', async () => {
    const { clock, faults, scheduler } = setup({ maxConcurrency: 50 });
    running.push(scheduler);
    // The store refuses any batch holding the poisoned outcome (with its payload), like a row it cannot store.
    faults.refusing.set('settle', (_owner, outcomes) =>
      (outcomes as TaskOutcome[]).some((o) => o.type === 'reschedule' && o.payload === 'poison')
        ? new Error('value too long for type character varying(3)')
        : null,
    );
    scheduler.registerJob({
      kind: 'batch',
      execute: async (task: StoreTask) =>
        task.slug === 'poisoned'
          ? { ...task, payload: 'poison', runAt: new Date(clock.now().getTime() + 60 * SECOND) }
          : undefined,
    });
    for (let i = 0; i < 30; i++) await scheduler.scheduleJob(`ok-${i}`, 'batch', { runAt: clock.now() });
    await scheduler.scheduleJob('poisoned', 'batch', { runAt: clock.now() });
    await scheduler.start();
    await until(async () => (await scheduler.getJobSlugs()).length === 1, 'the good outcomes to be written');
    await until(
      async () => (await scheduler.getScheduledJob('poisoned')).failed,
      'the refused outcome to be degraded',
    );
    const poisoned = await scheduler.getScheduledJob('poisoned');
    expect(poisoned).toMatchObject({ failed: true, state: 'failed' });
    expect(poisoned.result).toContain('could not be stored');
    expect(poisoned.result).toContain('value too long');
    expect(scheduler.health()).toMatchObject({ pendingOutcomes: 0, unwritableOutcomes: 0 });
  });

  it('bounds every store call and stop() when the store stops answering, and says so in health()', async () => {
    const { clock, faults, scheduler } = setup({ storeTimeoutMs: 200, leaseMs: 3 * SECOND });
    running.push(scheduler);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    scheduler.registerJob({ kind: 'long', execute: async () => gate });
    await scheduler.scheduleJob('long-1', 'long', { runAt: clock.now() });
    await scheduler.start();
    await until(() => scheduler.health().inFlight === 1, 'the job to start');

    for (const operation of [
      'claim',
      'nextRun',
      'settle',
      'extendLease',
      'release',
      'create',
      'get',
    ] as const) {
      faults.stalled.add(operation);
    }
    await expect(scheduler.scheduleJob('another', 'long')).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(scheduler.getScheduledJob('long-1')).rejects.toBeInstanceOf(StoreTimeoutError);
    // The idle loop looks again at its next poll (10 s: the memory store pushes wake-ups).
    clock.advanceBy(11 * SECOND);
    await until(() => scheduler.health().lastStoreError !== null, 'the loop to report the stalled store');
    expect(scheduler.health().lastStoreError).toContain('did not answer');

    release();
    const stopped = scheduler.stop({ timeoutMs: 100 });
    // The stop's deadlines run on the scheduler's clock.
    const ticker = setInterval(() => clock.advanceBy(100), 5);
    await stopped;
    clearInterval(ticker);
    expect(scheduler.isRunning).toBe(false);
  });

  it('says a run given up by stop() was left at shutdown, not that it ignored a grace it never had', async () => {
    const { clock, logger, scheduler } = setup({ abortGraceMs: 5 * SECOND });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    scheduler.registerJob({ kind: 'stubborn', execute: async () => gate });
    await scheduler.scheduleJob('stubborn-1', 'stubborn', { runAt: clock.now() });
    await scheduler.start();
    await until(() => scheduler.health().inFlight === 1, 'the job to start');
    await scheduler.stop({ timeoutMs: 0 });
    release();
    expect(logger.has('warn', '[stubborn:stubborn-1] was still running when stop() stopped waiting')).toBe(
      true,
    );
    expect(logger.lines.filter((line) => line.message.includes('did not return within'))).toEqual([]);
  });

  it('reports no lost lease for a run that finished while its renewal was under way', async () => {
    const clock = new VirtualClock();
    const memory = new MemoryStore({ clock });
    let letRenewalThrough!: () => void;
    const renewalGate = new Promise<void>((resolve) => (letRenewalThrough = resolve));
    let renewalAsked = false;
    let renewalAnswered = false;
    // The renewal reaches the store only after the run's outcome was written (a slow round trip).
    const store = new Proxy(memory, {
      get(target, property, receiver) {
        if (property === 'extendLease') {
          return async (...args: Parameters<MemoryStore['extendLease']>) => {
            renewalAsked = true;
            await renewalGate;
            const held = await target.extendLease(...args);
            renewalAnswered = true;
            return held;
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const scheduler = new StdScheduler(store, { clock, leaseMs: 3 * SECOND, logger: new CapturingLogger() });
    running.push(scheduler);
    const lost: unknown[] = [];
    scheduler.on('lease.lost', (event) => lost.push(event));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    scheduler.registerJob({ kind: 'quick', execute: async () => gate });
    await scheduler.scheduleJob('quick-1', 'quick', { runAt: clock.now() });
    await scheduler.start();
    await until(() => scheduler.health().inFlight === 1, 'the job to start');

    clock.advanceBy(SECOND); // leaseMs / 3: the renewal starts and waits at the gate
    await until(() => renewalAsked, 'the renewal to start');
    finish();
    await until(async () => (await memory.getSlugs()).length === 0, 'the outcome to be written');
    letRenewalThrough();
    await until(() => renewalAnswered, 'the renewal to answer');
    await scheduler.whenIdle();
    expect(lost).toEqual([]);
  });

  it('lets two concurrent stop() calls both wait for the running job', async () => {
    const { clock, scheduler } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const finished: string[] = [];
    scheduler.registerJob({
      kind: 'slow',
      execute: async () => {
        await gate;
        finished.push('job');
      },
    });
    await scheduler.scheduleJob('slow-1', 'slow', { runAt: clock.now() });
    await scheduler.start();
    await until(() => scheduler.health().inFlight === 1, 'the job to start');

    const first = scheduler.stop({ timeoutMs: 60 * SECOND }).then(() => finished.push('first stop'));
    const second = scheduler.stop({ timeoutMs: 60 * SECOND }).then(() => finished.push('second stop'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finished).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(finished[0]).toBe('job');
    expect(finished.slice(1).sort()).toEqual(['first stop', 'second stop']);
    expect(await scheduler.getJobSlugs()).toEqual([]);
  });

  it('reports lease.lost once per execution, however many parts notice it', async () => {
    const { clock, memory, faults, scheduler } = setup({ leaseMs: 3 * SECOND });
    running.push(scheduler);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let signal: AbortSignal | undefined;
    scheduler.registerJob({
      kind: 'taken',
      execute: async (_task: StoreTask, ctx: JobContext) => {
        signal = ctx.signal;
        await gate;
      },
    });
    const lost: string[] = [];
    scheduler.on('lease.lost', (event) => lost.push(event.slug));
    await scheduler.scheduleJob('t', 'taken', { runAt: clock.now() });
    await scheduler.start();
    await until(() => signal !== undefined, 'the job to start');

    // Renewals fail until the lease is over; another instance takes the task; the run then ends.
    faults.failing.add('extendLease');
    faults.failing.add('claim');
    clock.advanceBy(4 * SECOND);
    expect(
      await memory.claim({ kinds: ['taken'], owner: 'intruder', leaseMs: 60 * SECOND, limit: 1 }),
    ).toHaveLength(1);
    release();
    await until(() => scheduler.health().inFlight === 0, 'the outcome to be refused');
    faults.failing.delete('extendLease');
    clock.advanceBy(4 * SECOND);
    await scheduler.whenIdle();
    expect(lost).toEqual(['t']);
  });

  it('warns when lease renewals come late (a store starved of connections), on the system clock', async () => {
    const memory = new MemoryStore();
    const faults = withFaults(memory);
    const logger = new CapturingLogger();
    const scheduler = new StdScheduler(faults.store, { logger, leaseMs: 300, instanceId: 'starved' });
    running.push(scheduler);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    scheduler.registerJob({ kind: 'held', execute: async () => gate });
    await scheduler.scheduleJob('h', 'held');
    await scheduler.start();
    await until(() => scheduler.health().inFlight === 1, 'the job to start');
    // Each renewal now waits 250 ms for the store, more than leaseMs / 3 (100 ms).
    faults.slow.set('extendLease', 250);
    await until(() => logger.has('warn', 'Renewing 1 lease(s) took'), 'the late-renewal warning');
    expect(logger.has('warn', 'more than leaseMs/3 (100 ms)')).toBe(true);
    faults.slow.delete('extendLease');
    release();
  });
});
