import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/**
 * Thrown by `scheduleJobs` before anything is written, for an item that `scheduleJob` would refuse
 * (its error is the `cause`), or whose slug appears twice in the call.
 */
export class InvalidItemError extends SchedulerError {
  constructor(
    /** The item's position in the array given. */
    public readonly index: number,
    /** Its slug, when it has a string one. */
    public readonly slug: string | undefined,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(messages.invalidItem(index, reason), options);
  }
}
