import { SchedulerError } from '../../core/errors/scheduler.error.js';

/** A command line used wrongly (exit code 2): a missing or conflicting option. */
export class CliUsageError extends SchedulerError {}
