import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when a control call would change the schedule of a task that an instance is running right now. */
export class JobRunningError extends SchedulerError {
  constructor(
    public readonly slug: string,
    public readonly action: string,
  ) {
    super(messages.jobRunning(slug, action));
  }
}
