import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown by `registerJob` when a job of the same kind is already registered. */
export class JobAlreadyRegisteredError extends SchedulerError {
  constructor(public readonly kind: string) {
    super(messages.jobAlreadyRegistered(kind));
  }
}
