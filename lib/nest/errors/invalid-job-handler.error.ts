import { nestMessages as messages } from './messages.js';
import { SchedulerError } from '../../core/errors/scheduler.error.js';

/** Thrown at bootstrap for a `@JobHandler` class that cannot be used (no `execute` method, request-scoped, …). */
export class InvalidJobHandlerError extends SchedulerError {
  constructor(
    public readonly handlerName: string,
    public readonly reason: string,
  ) {
    super(messages.invalidJobHandler(handlerName, reason));
  }
}
