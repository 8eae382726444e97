import { SetMetadata } from '@nestjs/common';
import type { Backoff, BackoffFunction } from '../core/backoff.types.js';
import { InvalidJobHandlerError } from './errors/invalid-job-handler.error.js';
import { nestMessages as messages } from './errors/messages.js';
import type { JobContext, JobResult, StoreTask } from '../core/job.js';
import type { Payload } from '../core/payload.js';
import type { MisfirePolicy, OverlapPolicy, RegisterJobOptions } from '../core/scheduler.types.js';
import { JOB_HANDLER_METADATA } from './scheduler.constants.js';

/** The second argument of `@JobHandler` when a cron string is not enough. */
export interface JobHandlerOptions {
  /** Makes the kind recurring on this cron expression (5 or 6 fields, `@daily`, `@every 30s`, …). */
  cron?: string;
  /** IANA time zone of `cron`. Default `UTC`. */
  timeZone?: string;
  /** Makes the kind recurring on a fixed interval: milliseconds or a duration such as `'1h30m'`. */
  every?: number | string;
  /** How long to wait between retries. Default: the engine's exponential backoff. */
  backoff?: Backoff | BackoffFunction;
  /** Retries after which a failing fire gives up. Default: unlimited. */
  maxRetries?: number;
  /** What a recurring task does about fires it missed while no instance ran. Default `fire-once`. */
  misfirePolicy?: MisfirePolicy;
  /** What a recurring task does with fires that come due while it runs. Default `skip`. */
  overlap?: OverlapPolicy;
  /** Runs of this kind at once on this instance. Default: the scheduler's `maxConcurrency`. */
  concurrency?: number;
  /**
   * Longest run, in ms: at the timeout `ctx.signal` aborts with reason `'timeout'` and the run counts
   * as a failure (retried after the backoff). Default: none.
   */
  timeoutMs?: number;
  /** Priority of this kind's tasks scheduled without one (-1000..1000, higher first). Default 0. */
  priority?: number;
  /** Runs of this kind at once across every instance on the store (see `RegisterJobOptions`). */
  globalConcurrency?: number;
  /** The key a task counts against for `keyConcurrency`, computed when it is created (see `RegisterJobOptions`). */
  concurrencyKey?: RegisterJobOptions['concurrencyKey'];
  /** Runs at once per concurrency key across every instance. Default 1 with a `concurrencyKey`. */
  keyConcurrency?: number;
  /** At most `max` starts of this kind per `perMs` across every instance; the others wait, due. */
  rateLimit?: { max: number; perMs: number };
  /** Slug of the recurring task created at bootstrap. Default: the kind. */
  slug?: string;
  /**
   * Whether bootstrap makes sure the recurring task exists (once across all instances). Default `true`
   * when `cron` or `every` is given. With `false`, the schedule is only the kind's default: tasks are
   * created by `scheduleJob` calls.
   */
  autoSchedule?: boolean;
  /** Payload of the recurring task created at bootstrap. Default `null`. */
  payload?: Payload;
}

/** What `@JobHandler` stores on a class: read it through `SchedulerMetadataAccessor`. */
export interface JobHandlerMetadata {
  kind: string;
  options: JobHandlerOptions;
}

/** The shape a `@JobHandler` class's instances must have. */
export interface JobHandlerInstance {
  execute(task: StoreTask, ctx: JobContext): Promise<JobResult> | JobResult;
}

/** A class decorated with `@JobHandler` (or any class whose instances can run tasks). */
export type JobHandlerClass = abstract new (...args: never[]) => JobHandlerInstance;

/**
 * Marks a provider as the job that runs tasks of `kind`. The class must implement
 * `execute(task, ctx)` (checked by the compiler here and again at bootstrap, for providers built by
 * a factory or given as a value). The module finds it at bootstrap, whether it is provided with
 * `useClass`, `useValue` or `useFactory`.
 *
 * ```ts
 * @JobHandler('report', { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon', maxRetries: 3 })
 * export class ReportJob {
 *   async execute(task: StoreTask, ctx: JobContext) { … }
 * }
 * ```
 *
 * @param kind the kind of tasks this class runs.
 * @param cronOrOptions a cron expression (the kind becomes recurring and its task is created at
 *   bootstrap with slug = kind), or {@link JobHandlerOptions}.
 * @throws InvalidJobHandlerError when the arguments contradict each other (cron and every, …).
 */
export function JobHandler(
  kind: string,
  cronOrOptions?: string | JobHandlerOptions,
): <T extends JobHandlerClass>(target: T) => void {
  const options: JobHandlerOptions =
    typeof cronOrOptions === 'string' ? { cron: cronOrOptions } : { ...(cronOrOptions ?? {}) };
  return (target) => {
    assertValidHandlerOptions(target.name, kind, options);
    const metadata: JobHandlerMetadata = { kind, options };
    SetMetadata(JOB_HANDLER_METADATA, metadata)(target);
  };
}

/** Refuses, at class definition, options that cannot mean what the user wanted. */
function assertValidHandlerOptions(className: string, kind: unknown, options: JobHandlerOptions): void {
  const reasons = messages.jobHandlerReasons;
  if (typeof kind !== 'string' || kind.length === 0) {
    throw new InvalidJobHandlerError(className, reasons.invalidKind(kind));
  }
  if (options.cron !== undefined && options.every !== undefined) {
    throw new InvalidJobHandlerError(className, reasons.cronAndEvery());
  }
  if (options.timeZone !== undefined && options.cron === undefined) {
    throw new InvalidJobHandlerError(className, reasons.timeZoneWithoutCron());
  }
  const hasTrigger = options.cron !== undefined || options.every !== undefined;
  if (!hasTrigger) {
    for (const option of ['autoSchedule', 'slug', 'payload'] as const) {
      if (options[option] !== undefined && !(option === 'autoSchedule' && options.autoSchedule === false)) {
        throw new InvalidJobHandlerError(className, reasons.recurringOptionWithoutTrigger(option));
      }
    }
  }
}
