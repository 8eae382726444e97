import type { Clock } from '../../core/clock.js';
import type { Job, JobContext, JobResult, StoreTask } from '../../core/job.js';
import { StdScheduler } from '../../core/scheduler.js';
import type { SchedulerOptions } from '../../core/scheduler.types.js';
import type { SchedulerEvents } from '../../core/events.js';
import type { JobStore, TaskPage } from '../../core/store/job-store.js';
import { CapturingLogger } from '../capturing-logger.js';

/**
 * What a store's spec file hands to `describeOperatingSuite`: a fresh, empty, initialised store and
 * the clock the store compares due times with. The schedulers of a test run on that clock too: a
 * `VirtualClock` shared with the store (memory, Firestore), or the system clock for a database that
 * uses its own (`now()` in PostgreSQL, on this machine).
 */
export interface OperatingHarness {
  store: JobStore;
  clock: Clock;
  /** Lets time pass for the store and the schedulers: a virtual advance, or a real wait. */
  advance(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A run a {@link ControlledJob} saw. */
export interface SeenRun {
  slug: string;
  attempt: number;
  scheduledAt: Date;
  payload: unknown;
}

/**
 * A job that records its runs, can hold a slug's run in flight until the test releases it, and
 * otherwise does what `body` says (default: succeed).
 */
export class ControlledJob implements Job {
  readonly runs: SeenRun[] = [];
  private readonly gates = new Map<string, Promise<void>>();
  private readonly openers = new Map<string, () => void>();

  constructor(
    readonly kind: string,
    private readonly body: (
      task: StoreTask,
      ctx: JobContext,
      run: number,
    ) => JobResult | Promise<JobResult> = () => undefined,
  ) {}

  /** The next runs of `slug` wait until {@link release}. */
  hold(slug: string): void {
    this.gates.set(slug, new Promise<void>((resolve) => this.openers.set(slug, resolve)));
  }

  /** Lets held runs of `slug` finish. */
  release(slug: string): void {
    this.openers.get(slug)?.();
    this.gates.delete(slug);
    this.openers.delete(slug);
  }

  /** Releases every held run (teardown). */
  releaseAll(): void {
    for (const slug of [...this.openers.keys()]) this.release(slug);
  }

  slugs(): string[] {
    return this.runs.map((run) => run.slug);
  }

  async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    this.runs.push({
      slug: task.slug,
      attempt: ctx.attempt,
      scheduledAt: ctx.scheduledAt,
      payload: task.payload,
    });
    const gate = this.gates.get(task.slug);
    if (gate) await gate;
    return this.body(task, ctx, this.runs.length);
  }
}

/** Events of one kind, as a scheduler emitted them. */
export function collect<E extends keyof SchedulerEvents>(
  scheduler: StdScheduler,
  event: E,
): Array<SchedulerEvents[E]> {
  const seen: Array<SchedulerEvents[E]> = [];
  scheduler.on(event, (payload) => seen.push(payload));
  return seen;
}

/**
 * Waits (real time) until `check` holds: for things that happen while a job is held in flight, when
 * `whenIdle` cannot be used. Measures nothing; only bounds a hang.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Slugs of a page. */
export function slugsOf(page: TaskPage): string[] {
  return page.tasks.map((task) => task.slug);
}

/** Per-test state of the suite: the harness and the schedulers it made, stopped after the test. */
export class OperatingEnv {
  private readonly schedulers: StdScheduler[] = [];
  private readonly jobs: ControlledJob[] = [];
  readonly logger = new CapturingLogger();

  constructor(readonly harness: OperatingHarness) {}

  get store(): JobStore {
    return this.harness.store;
  }

  /** Now, on the clock the store and the schedulers share. */
  now(): Date {
    return this.harness.clock.now();
  }

  /** `ms` before now: a due time. */
  ago(ms: number): Date {
    return new Date(this.now().getTime() - ms);
  }

  /** `ms` after now. */
  ahead(ms: number): Date {
    return new Date(this.now().getTime() + ms);
  }

  /** A scheduler on the harness's store and clock, stopped after the test. */
  scheduler(options: SchedulerOptions = {}): StdScheduler {
    const scheduler = new StdScheduler(this.harness.store, {
      clock: this.harness.clock,
      logger: this.logger,
      instanceId: `operating-${this.schedulers.length + 1}`,
      ...options,
    });
    this.schedulers.push(scheduler);
    return scheduler;
  }

  /** A {@link ControlledJob}, whose held runs are released after the test. */
  job(kind: string, body?: ConstructorParameters<typeof ControlledJob>[1]): ControlledJob {
    const job = new ControlledJob(kind, body);
    this.jobs.push(job);
    return job;
  }

  async teardown(): Promise<void> {
    for (const job of this.jobs) job.releaseAll();
    for (const scheduler of this.schedulers) await scheduler.stop({ timeoutMs: 5_000 });
  }
}
