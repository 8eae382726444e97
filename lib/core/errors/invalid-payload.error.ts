import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown before anything is written when a payload could not be stored and read back exactly. */
export class InvalidPayloadError extends SchedulerError {
  constructor(
    public readonly path: string,
    public readonly reason: string,
  ) {
    super(messages.invalidPayload(path, reason));
  }
}
