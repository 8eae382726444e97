import type { Backoff } from './backoff.types.js';
import { toBackoff } from './backoff.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { JobAlreadyRegisteredError } from './errors/job-already-registered.error.js';
import type { Job, StoreTask } from './job.js';
import { resolveMisfirePolicy, type ResolvedMisfirePolicy } from './misfire.js';
import { assertPriority } from './arguments.js';
import type { ConcurrencyKeyInput, OverlapPolicy, RegisterJobOptions } from './scheduler.types.js';
import { assertKindLimits, type ClaimLimits, type KindLimits } from './store/claim-limits.js';
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
  /** The priority of tasks scheduled without one. */
  priority: number;
  /** The kind's cluster-wide limits, passed to every claim; `undefined`: none. */
  limits: KindLimits | undefined;
  /** Computes a new task's concurrency key; `undefined`: tasks get none. */
  concurrencyKey: ((task: ConcurrencyKeyInput) => string | null | undefined) | undefined;
}

const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'buffer-one'];

/** Holds the jobs registered on this instance, by kind. It only holds; the loop reads it. */
export class JobRegistry {
  private readonly byKind = new Map<string, Registration>();
  private kindList: string[] = [];
  private limitsByKind: Record<string, KindLimits> | undefined;

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
    assertPriority(options.priority);
    const limits = resolveLimits(options);
    const registration: Registration = {
      job,
      trigger: options.trigger === undefined ? null : toTrigger(options.trigger),
      backoff: toBackoff(options.backoff),
      maxRetries,
      misfirePolicy,
      overlap,
      concurrency,
      timeoutMs,
      priority: options.priority ?? 0,
      limits,
      concurrencyKey: options.concurrencyKey,
    };
    this.byKind.set(job.kind, registration);
    this.kindList = [...this.byKind.keys()];
    if (limits !== undefined) this.limitsByKind = { ...this.limitsByKind, [job.kind]: limits };
    return registration;
  }

  /** The cluster-wide limits of the kinds registered here that have some (for `ClaimRequest.limits`). */
  limits(): ClaimLimits | undefined {
    return this.limitsByKind;
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

/**
 * The cluster-wide limits of `registerJob`'s options, checked; `undefined` when none is set. A
 * `keyConcurrency` needs a `concurrencyKey` (without one no task has a key), and a
 * `concurrencyKey` alone means one run per key at a time.
 * @throws InvalidArgumentError
 */
function resolveLimits(options: RegisterJobOptions): KindLimits | undefined {
  const { globalConcurrency, rateLimit, concurrencyKey } = options;
  if (concurrencyKey !== undefined && typeof concurrencyKey !== 'function') {
    throw new InvalidArgumentError('concurrencyKey', 'must be a function (task) => string');
  }
  if (options.keyConcurrency !== undefined && concurrencyKey === undefined) {
    throw new InvalidArgumentError(
      'keyConcurrency',
      'needs a concurrencyKey function to give tasks their key',
    );
  }
  const keyConcurrency = concurrencyKey === undefined ? undefined : (options.keyConcurrency ?? 1);
  const limits: KindLimits = {
    ...(globalConcurrency !== undefined && { globalConcurrency }),
    ...(keyConcurrency !== undefined && { keyConcurrency }),
    ...(rateLimit !== undefined && { rateLimit: { max: rateLimit?.max, perMs: rateLimit?.perMs } }),
  };
  if (rateLimit !== undefined && (rateLimit === null || typeof rateLimit !== 'object')) {
    throw new InvalidArgumentError('rateLimit', 'must be { max, perMs }');
  }
  assertKindLimits(limits);
  return Object.keys(limits).length === 0 ? undefined : limits;
}
