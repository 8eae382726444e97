import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown by `scheduleJob` when the slug already exists in the store and `replace` was not set. */
export class JobAlreadyScheduledError extends SchedulerError {
  constructor(public readonly slug: string) {
    super(messages.jobAlreadyScheduled(slug));
  }
}
