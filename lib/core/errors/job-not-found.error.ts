import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when a slug names no task in the store. */
export class JobNotFoundError extends SchedulerError {
  constructor(public readonly slug: string) {
    super(messages.jobNotFound(slug));
  }
}
