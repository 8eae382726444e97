import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/** Thrown when a slug is not a non-empty string. */
export class InvalidSlugError extends SchedulerError {
  constructor(public readonly slug: unknown) {
    super(messages.invalidSlug(slug));
  }
}
