import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/**
 * Thrown when a store call does not answer within the scheduler's `storeTimeoutMs`. The call may
 * still be applied by the store later: a `scheduleJob` that timed out may have created its task.
 */
export class StoreTimeoutError extends SchedulerError {
  constructor(
    public readonly operation: string,
    public readonly timeoutMs: number,
  ) {
    super(messages.storeTimeout(operation, timeoutMs));
  }
}
