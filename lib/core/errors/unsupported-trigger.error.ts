import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown by `scheduleJob` for a custom `Trigger` that cannot be stored with a task. */
export class UnsupportedTriggerError extends SchedulerError {
  constructor(public readonly triggerName: string) {
    super(messages.unsupportedTrigger(triggerName));
  }
}
