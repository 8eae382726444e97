import { CapturingLogger } from '../../lib/testing/capturing-logger.js';
import { VirtualClock } from '../../lib/core/clock.js';
import type { Job, JobContext, JobResult, StoreTask } from '../../lib/core/job.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { SchedulerOptions } from '../../lib/core/scheduler.types.js';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';

export const T0 = new Date('2030-01-01T00:00:00.000Z');
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** A run a job saw. */
export interface Run {
  slug: string;
  attempt: number;
  scheduledAt: Date;
  startedAt: Date;
  instanceId: string;
  payload: unknown;
}

/** A job that records its runs and does what `body` says (default: succeed). */
export class RecordingJob implements Job {
  readonly runs: Run[] = [];
  constructor(
    readonly kind: string,
    private readonly clock: { now(): Date },
    private readonly body: (
      task: StoreTask,
      ctx: JobContext,
      run: number,
    ) => Promise<JobResult> | JobResult = () => undefined,
  ) {}

  async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    this.runs.push({
      slug: task.slug,
      attempt: ctx.attempt,
      scheduledAt: ctx.scheduledAt,
      startedAt: this.clock.now(),
      instanceId: ctx.instanceId,
      payload: task.payload,
    });
    return this.body(task, ctx, this.runs.length);
  }
}

/** A scheduler on a MemoryStore, both on one VirtualClock. */
export function virtualSetup(
  options: SchedulerOptions = {},
  shared?: { clock: VirtualClock; store: MemoryStore },
) {
  const clock = shared?.clock ?? new VirtualClock(T0);
  const store = shared?.store ?? new MemoryStore({ clock });
  const logger = new CapturingLogger();
  const scheduler = new StdScheduler(store, { clock, logger, ...options });
  /** Moves time forward and waits until the loop has run everything that became due. */
  const advance = async (ms: number): Promise<void> => {
    clock.advanceBy(ms);
    await scheduler.whenIdle();
  };
  return { clock, store, logger, scheduler, advance };
}

export { CapturingLogger };
