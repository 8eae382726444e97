import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when a cron expression, a shortcut or an `@every` duration is malformed, at construction or registration time. */
export class InvalidCronExpressionError extends SchedulerError {
  constructor(
    public readonly expression: string,
    public readonly reason: string,
  ) {
    super(messages.invalidCron(expression, reason));
  }
}
