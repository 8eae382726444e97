import type { Backoff } from './backoff.types.js';
import { toBackoff } from './backoff.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { JobAlreadyRegisteredError } from './errors/job-already-registered.error.js';
import type { Job, StoreTask } from './job.js';
import { resolveMisfirePolicy, type ResolvedMisfirePolicy } from './misfire.js';
import type { OverlapPolicy, RegisterJobOptions } from './scheduler.types.js';
import { toTrigger } from './schedule/schedule-spec.js';
import { triggerFromSpec } from './schedule/trigger-types.js';
import type { Trigger } from './schedule/trigger.js';

/** A job as registered on this instance, with its options resolved. */
export interface Registration {
  job: Job;
  trigger: Trigger | null;
  backoff: Backoff;
  maxRetries: number | undefined;
  misfirePolicy: ResolvedMisfirePolicy;
  overlap: OverlapPolicy;
  /** `undefined`: bounded only by the scheduler's `maxConcurrency`. */
  concurrency: number | undefined;
  /** Longest run in ms; `undefined`: none. */
  timeoutMs: number | undefined;
}

const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'buffer-one'];

/** Holds the jobs registered on this instance, by kind. It only holds; the loop reads it. */
export class JobRegistry {
  private readonly byKind = new Map<string, Registration>();
  private kindList: string[] = [];

  register(job: Job, options: RegisterJobOptions = {}): Registration {
    if (typeof job?.kind !== 'string' || job.kind === '') {
      throw new InvalidArgumentError('job', 'a job needs a non-empty string `kind`');
    }
    if (typeof job.execute !== 'function') {
      throw new InvalidArgumentError('job', `job "${job.kind}" has no execute() method`);
    }
    if (this.byKind.has(job.kind)) throw new JobAlreadyRegisteredError(job.kind);
    const { maxRetries, concurrency, timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new InvalidArgumentError('timeoutMs', 'must be a number of milliseconds > 0');
    }
    if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
      throw new InvalidArgumentError('maxRetries', 'must be a whole number >= 0');
    }
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new InvalidArgumentError('concurrency', 'must be a whole number >= 1');
    }
    const misfirePolicy = resolveMisfirePolicy(options.misfirePolicy);
    const overlap = options.overlap ?? 'skip';
    if (!OVERLAP_POLICIES.includes(overlap)) {
      throw new InvalidArgumentError('overlap', `must be one of ${OVERLAP_POLICIES.join(', ')}`);
    }
    const registration: Registration = {
      job,
      trigger: options.trigger === undefined ? null : toTrigger(options.trigger),
      backoff: toBackoff(options.backoff),
      maxRetries,
      misfirePolicy,
      overlap,
      concurrency,
      timeoutMs,
    };
    this.byKind.set(job.kind, registration);
    this.kindList = [...this.byKind.keys()];
    return registration;
  }

  get(kind: string): Registration | undefined {
    return this.byKind.get(kind);
  }

  /** The kinds this instance runs (the loop claims only these). */
  kinds(): readonly string[] {
    return this.kindList;
  }

  /** The trigger a task follows: its own stored schedule, else its kind's, else none (one-time). */
  triggerOf(task: StoreTask, registration: Registration | undefined): Trigger | null {
    if (task.schedule) return triggerFromSpec(task.schedule);
    return registration?.trigger ?? null;
  }
}
