import { jobMessages as messages } from './messages.js';
import { SchedulerError } from '../../core/errors/scheduler.error.js';

/**
 * Thrown by `CurlJob` when the response status is not 2xx or 3xx, or when no response came (the
 * request timed out, was aborted, or could not connect). The scheduler retries the task after a
 * backoff and stores the message as the task's `result`.
 */
export class HttpJobFailedError extends SchedulerError {
  constructor(
    public readonly method: string,
    /** The request's URL without its query string or credentials (the message may be stored). */
    public readonly url: string,
    /** The response status, or `null` when no response came. */
    public readonly status: number | null,
    /** What went wrong, in words (`'status 404'`, `'timed out after 30000 ms'`, …). */
    public readonly reason: string,
    /** The start of the response body (empty when there was no response). */
    public readonly bodyExcerpt: string,
    options?: ErrorOptions,
  ) {
    super(messages.httpJobFailed(method, url, reason, bodyExcerpt), options);
  }
}
