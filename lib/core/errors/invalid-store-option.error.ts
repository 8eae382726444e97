import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when a store is constructed with an option it cannot use safely (an invalid table name, …). */
export class InvalidStoreOptionError extends SchedulerError {
  constructor(
    public readonly option: string,
    public readonly reason: string,
  ) {
    super(messages.invalidStoreOption(option, reason));
  }
}
