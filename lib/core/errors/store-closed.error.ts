import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown by a store used after `close()` (and so by `scheduler.start()` on a closed store). */
export class StoreClosedError extends SchedulerError {
  constructor() {
    super(messages.storeClosed());
  }
}
