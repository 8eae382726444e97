import { VirtualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { StdScheduler } from '../core/scheduler.js';
import type { Scheduler, SchedulerOptions } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import { RunRecorder, type RecordedRun } from './run-recorder.js';

/** A point in time: a `Date`, epoch milliseconds, or an ISO 8601 string. */
export type TimeInput = Date | number | string;

/** Where a test's virtual clock starts by default: 2030-01-01T00:00:00Z, a Tuesday. */
export const DEFAULT_TEST_START = '2030-01-01T00:00:00.000Z';

/**
 * A scheduler under test on a {@link VirtualClock}: time moves only when the test says so, and
 * everything that falls due on the way runs, in order, without a single real sleep.
 *
 * - {@link advanceBy} / {@link advanceTo} move the clock forward, stopping at every due time on the
 *   way (as Jest's fake timers fire every timer), so that a cron job runs at each of its fires.
 * - {@link runDueJobs} runs what is due now and waits until the scheduler is idle.
 * - {@link runs} lists what ran (from the engine's events), with due time, attempt and outcome.
 *
 * Jobs run for real (they are your code); only the scheduler's time is virtual. A job that waits on
 * real timers just makes the test wait that long; nothing else sleeps.
 */
export class SchedulerTestKit {
  private readonly recorder: RunRecorder;

  constructor(
    /** The scheduler under test. */
    readonly scheduler: Scheduler,
    /** Its store (shares the virtual clock). */
    readonly store: JobStore,
    /** The virtual clock of the scheduler and the store. */
    readonly clock: VirtualClock,
  ) {
    this.recorder = new RunRecorder(scheduler);
  }

  /** Every run so far, in the order they ended. */
  get runs(): readonly RecordedRun[] {
    return this.recorder.runs;
  }

  /** The runs of one task. */
  runsOf(slug: string): RecordedRun[] {
    return this.recorder.runsOf(slug);
  }

  /** The runs of one kind. */
  runsOfKind(kind: string): RecordedRun[] {
    return this.recorder.runsOfKind(kind);
  }

  /** Forgets the runs recorded so far. */
  clearRuns(): void {
    this.recorder.clear();
  }

  /** The virtual now. */
  now(): Date {
    return this.clock.now();
  }

  /** Runs everything due now (starting the scheduler if needed) and resolves once it is idle. */
  async runDueJobs(): Promise<void> {
    if (!this.scheduler.isRunning) await this.scheduler.start();
    await this.scheduler.whenIdle();
  }

  /** Moves the clock forward by `ms`, running every fire that falls due on the way, in order. */
  async advanceBy(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advanceBy: ${ms} is not a duration >= 0`);
    await this.advanceTo(this.clock.now().getTime() + ms);
  }

  /** Moves the clock forward to `time`, running every fire that falls due on the way, in order. */
  async advanceTo(time: TimeInput): Promise<void> {
    const target = toEpochMs(time);
    if (target < this.clock.now().getTime()) {
      throw new RangeError(
        `advanceTo: ${new Date(target).toISOString()} is in the past of the virtual clock`,
      );
    }
    await this.runDueJobs();
    let overdueTurns = 0;
    for (;;) {
      const next = await this.store.nextRun(this.scheduler.health().kinds);
      if (next === null || next.getTime() > target) break;
      if (next.getTime() <= this.clock.now().getTime()) {
        // Due, yet the idle loop left it: it backs off after an empty claim. One more turn; after
        // that, stop stepping rather than spin on a task the loop will not take.
        if (++overdueTurns > 2) break;
        await this.scheduler.whenIdle();
        continue;
      }
      overdueTurns = 0;
      this.clock.setTime(next);
      await this.scheduler.whenIdle();
    }
    this.clock.setTime(target);
    await this.scheduler.whenIdle();
  }

  /** Stops the scheduler (a job still running is aborted at once) and the recording. */
  async stop(): Promise<void> {
    this.recorder.dispose();
    await this.scheduler.stop({ timeoutMs: 0 });
  }
}

/** Options of {@link createTestScheduler}: the scheduler's options, on a virtual clock. */
export interface TestSchedulerOptions extends Omit<SchedulerOptions, 'clock'> {
  /** Where the virtual clock starts. Default {@link DEFAULT_TEST_START}. */
  now?: TimeInput;
  /** The store, built on the kit's clock. Default `new MemoryStore({ clock })`. */
  store?: (clock: VirtualClock) => JobStore;
}

/**
 * A {@link StdScheduler} on a {@link MemoryStore}, both on one {@link VirtualClock}, with the
 * helpers of {@link SchedulerTestKit}. Logs nothing unless given a `logger`.
 *
 * ```ts
 * const kit = createTestScheduler({ now: '2030-03-27T00:00:00Z' });
 * kit.scheduler.registerJob(new ReportJob(), { trigger: { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' } });
 * await kit.scheduler.scheduleJob('report', 'report', { trigger: { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' } });
 * await kit.advanceBy(7 * 24 * 3600_000);
 * kit.runsOf('report').map((run) => run.scheduledAt.toISOString()); // five weekdays, 09:00 in Lisbon
 * await kit.stop();
 * ```
 */
export function createTestScheduler(options: TestSchedulerOptions = {}): SchedulerTestKit {
  const { now, store: makeStore, ...schedulerOptions } = options;
  const clock = new VirtualClock(toEpochMs(now ?? DEFAULT_TEST_START));
  const store = makeStore ? makeStore(clock) : new MemoryStore({ clock });
  const scheduler = new StdScheduler(store, {
    logger: silentLogger,
    instanceId: 'test-instance',
    ...schedulerOptions,
    clock,
  });
  return new SchedulerTestKit(scheduler, store, clock);
}

/** Epoch milliseconds of a {@link TimeInput}. */
export function toEpochMs(time: TimeInput): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid time: ${String(time)}`);
  return ms;
}
