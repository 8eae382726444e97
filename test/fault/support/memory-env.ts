/**
 * The in-process fault environment: two `StdScheduler`s on one `MemoryStore`, both on one
 * `VirtualClock`, so a run of minutes of scheduler time takes milliseconds and is reproducible from
 * its seed. Faults here are what one process can do to itself: the clock leaping past the leases (a
 * stalled process), and an instance stopping gracefully mid-run and starting again. Unhandled
 * rejections are caught by the test environment (fault-environment.js) and reported as violations.
 */
import { VirtualClock } from '../../../lib/core/clock.js';
import type { StoreTask } from '../../../lib/core/job.js';
import type { SchedulerLogger } from '../../../lib/core/logger.js';
import { StdScheduler } from '../../../lib/core/scheduler.js';
import type { ScheduleSpec } from '../../../lib/core/schedule/trigger.js';
import { MemoryStore } from '../../../lib/stores/memory/index.js';
import { registerFaultJobs } from '../fixtures/hostile-jobs.mjs';
import type { FaultCommand } from './commands.js';
import { Journal, type JournalEntry, type Stamp } from './journal.js';
import { RunModel } from './model.js';
import type { FaultEnv, SchedulerApi } from './run-commands.js';

/** Scheduler time of the in-process runs (virtual ms). */
export const MEMORY_TIMING = {
  leaseMs: 30_000,
  heartbeat: 1_000,
  backoffMs: 1_000,
  timeoutMs: 60_000,
  laterMs: 3_600_000,
  recurringEveryMs: 20_000,
  stopTimeoutMs: 10_000,
  /** How long `quiesce` lets the clock run; everything due before its last five minutes must have run. */
  quiesceMs: 15 * 60_000,
  horizonSlackMs: 5 * 60_000,
} as const;

/** Turns of the event loop after each step: enough for claim → run → settle of instant jobs. */
const SETTLE_TURNS = 25;

declare global {
  var __faultUnhandled: unknown[] | undefined;
}

function safeText(value: unknown): string {
  try {
    if (value instanceof Error) return (value.stack ?? value.message).split('\n').slice(0, 5).join(' | ');
    return typeof value === 'bigint' ? `${value}n` : String(value);
  } catch {
    return '<a value that cannot be printed>';
  }
}

class LineLogger implements SchedulerLogger {
  readonly lines: string[] = [];
  log(): void {}
  warn(message: string): void {
    this.lines.push(`warn: ${message.slice(0, 300)}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message.slice(0, 300)}`);
  }
}

export class MemoryFaultEnv implements FaultEnv {
  readonly label = 'memory (in-process, VirtualClock, 2 instances)';
  readonly model = new RunModel();
  readonly journal = new Journal();
  readonly recurringEveryMs = MEMORY_TIMING.recurringEveryMs;
  readonly clock = new VirtualClock();
  readonly store = new MemoryStore({ clock: this.clock });
  readonly logger = new LineLogger();
  private readonly schedulers: StdScheduler[] = [];
  private readonly stopped = new Set<number>();
  private seq = 0;
  private readonly unhandledFrom: number;
  readonly origin: Stamp;

  private constructor() {
    globalThis.__faultUnhandled ??= [];
    this.unhandledFrom = globalThis.__faultUnhandled.length;
    this.origin = this.stamp();
  }

  static async create(): Promise<MemoryFaultEnv> {
    const env = new MemoryFaultEnv();
    for (const id of ['A', 'B']) {
      const scheduler = new StdScheduler(env.store, {
        instanceId: id,
        clock: env.clock,
        leaseMs: MEMORY_TIMING.leaseMs,
        heartbeat: MEMORY_TIMING.heartbeat,
        logger: env.logger,
      });
      registerFaultJobs(scheduler, {
        instanceId: id,
        sleep: (ms, signal) => env.clock.sleep(ms, signal),
        record: (entry) => env.record(entry as JournalEntry),
        timing: MEMORY_TIMING,
      });
      scheduler.on('lease.lost', ({ slug }) =>
        env.record({ type: 'lease-lost', slug, instance: id } as JournalEntry),
      );
      env.schedulers.push(scheduler);
      await scheduler.start();
    }
    await env.settle();
    return env;
  }

  stamp(): Stamp {
    this.seq += 1;
    return { at: this.seq, t: this.clock.now().getTime() };
  }

  now(): Date {
    return this.clock.now();
  }

  private record(entry: JournalEntry): void {
    this.journal.add({ ...entry, ...this.stamp() });
  }

  via(index: number): SchedulerApi {
    return this.schedulers[index % this.schedulers.length];
  }

  viaName(index: number): string {
    return this.schedulers[index % this.schedulers.length].instanceId;
  }

  async settle(): Promise<void> {
    for (let i = 0; i < SETTLE_TURNS; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Moves the clock in steps of a quarter lease, so that renewals keep up as they would in real time. */
  async wait(ms: number): Promise<void> {
    const step = MEMORY_TIMING.leaseMs / 4;
    for (let left = ms; left > 0; left -= step) {
      this.clock.advanceBy(Math.min(step, left));
      await this.settle();
    }
  }

  async corrupt(slug: string, schedule: unknown): Promise<boolean> {
    // The memory store has no rows to edit: its own update writes the schedule as given, on an idle task only.
    const result = await this.store.update(slug, { schedule: schedule as ScheduleSpec }, { ifIdle: true });
    return result.status === 'updated';
  }

  async fault(command: FaultCommand): Promise<string | null> {
    if (command.op === 'jump') {
      this.clock.advanceBy(2 * MEMORY_TIMING.leaseMs + 1);
      await this.settle();
      return 'clock';
    }
    if (command.op === 'restart-instance') {
      const index = command.instance % this.schedulers.length;
      if (this.stopped.has(index)) return null;
      if (!(await this.stopInstance(index)))
        return `instance ${this.schedulers[index].instanceId} (stop hung)`;
      await this.schedulers[index].start();
      await this.settle();
      return this.schedulers[index].instanceId;
    }
    return null;
  }

  /** Stops an instance, moving the clock while it waits; false (and a violation) if it does not return. */
  private async stopInstance(index: number): Promise<boolean> {
    const scheduler = this.schedulers[index];
    let done = false;
    const stopping = scheduler
      .stop({ timeoutMs: MEMORY_TIMING.stopTimeoutMs })
      .then(() => void (done = true));
    const bound = MEMORY_TIMING.stopTimeoutMs + 5_000;
    for (let waited = 0; !done && waited <= bound; waited += 1_000) {
      await this.settle();
      if (!done) this.clock.advanceBy(1_000);
    }
    await this.settle();
    if (!done) {
      this.stopped.add(index);
      void stopping;
      this.model.violations.push({
        rule: 'stop-bound',
        message: `stop({ timeoutMs: ${MEMORY_TIMING.stopTimeoutMs} }) of ${scheduler.instanceId} had not returned after ${bound} ms of its clock`,
      });
    }
    return done;
  }

  async quiesce(): Promise<Stamp> {
    await this.wait(MEMORY_TIMING.quiesceMs);
    const end = this.stamp();
    return { at: end.at, t: end.t - MEMORY_TIMING.horizonSlackMs };
  }

  async snapshot(): Promise<StoreTask[]> {
    const tasks: StoreTask[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.store.list({ limit: 1000, cursor });
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return tasks;
  }

  /** What each instance counts in flight now (compared by the checker with the runs going on). */
  inFlight(): Array<{ instance: string; count: number; stamp: Stamp }> {
    return this.schedulers.flatMap((scheduler, index) =>
      this.stopped.has(index)
        ? []
        : [{ instance: scheduler.instanceId, count: scheduler.health().inFlight, stamp: this.stamp() }],
    );
  }

  async finish(): Promise<void> {
    for (const [index] of this.schedulers.entries()) {
      if (this.stopped.has(index)) continue;
      await this.stopInstance(index);
      this.stopped.add(index);
    }
    const unhandled = (globalThis.__faultUnhandled ?? []).slice(this.unhandledFrom);
    for (const reason of unhandled) {
      this.model.violations.push({
        rule: 'unhandled-rejection',
        message: `unhandled rejection: ${safeText(reason)}`,
      });
    }
  }

  async dispose(): Promise<void> {
    for (const [index, scheduler] of this.schedulers.entries()) {
      if (!this.stopped.has(index)) void scheduler.stop({ timeoutMs: 0 });
    }
    await this.settle();
  }
}
