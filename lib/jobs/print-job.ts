import type { Job, JobContext, JobResult, StoreTask } from '../core/job.js';
import type { SchedulerLogger } from '../core/logger.js';
import { checkKind } from './job-options.js';
import { payloadText } from './payload-text.js';

/** Options of {@link PrintJob}. */
export interface PrintJobOptions {
  /** The kind it registers as. Default `'print'`. */
  kind?: string;
  /** Where to log instead of `ctx.logger` (whose lines name the task's slug and kind). */
  logger?: SchedulerLogger;
}

/**
 * Logs each task's payload and succeeds: a demonstration job, and a quick way to see a schedule
 * fire. A string payload is logged as is, a `Buffer` as utf8 text, anything else as JSON.
 *
 * @example
 * scheduler.registerJob(new PrintJob(), { trigger: '@every 10s' });
 * await scheduler.scheduleJob('hello', 'print', { payload: 'Hello, world!' });
 */
export class PrintJob implements Job {
  /** The kind it runs: `'print'` unless given. */
  readonly kind: string;
  private readonly logger: SchedulerLogger | undefined;

  constructor(options: PrintJobOptions = {}) {
    this.kind = checkKind('PrintJob', options.kind ?? 'print');
    this.logger = options.logger;
  }

  /** Logs the payload; returns nothing, so the task's schedule decides what happens next. */
  async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    (this.logger ?? ctx.logger).log(payloadText(task.payload));
  }
}
