import { messages } from './messages.js';
import { SchedulerError } from './scheduler.error.js';

/**
 * Thrown, before anything is written, for a slug that is not a non-empty, well-formed string without
 * NUL of at most `MAX_SLUG_BYTES` UTF-8 bytes.
 */
export class InvalidSlugError extends SchedulerError {
  constructor(
    public readonly slug: unknown,
    public readonly reason: string = messages.argumentReasons.notString(),
  ) {
    super(messages.invalidSlug(slug, reason));
  }
}
