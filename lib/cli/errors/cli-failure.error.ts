import { SchedulerError } from '../../core/errors/scheduler.error.js';

/** A command that could not do what it was asked (exit code 1), with the reason for the operator. */
export class CliFailureError extends SchedulerError {}
