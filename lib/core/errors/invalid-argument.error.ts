import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when an option or argument is out of range (a negative delay, an interval of zero, …). */
export class InvalidArgumentError extends SchedulerError {
  constructor(
    public readonly argument: string,
    public readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(messages.invalidArgument(argument, reason), options);
  }
}
