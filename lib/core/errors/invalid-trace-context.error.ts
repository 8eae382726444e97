import { InvalidArgumentError } from './invalid-argument.error.js';

/**
 * Thrown, before anything is written, for a trace context that a store cannot keep with a task: not
 * a map of strings, or larger than `MAX_TRACE_CONTEXT_BYTES` (see docs/opentelemetry.md). An
 * `InvalidArgumentError` for the argument `traceContext`.
 */
export class InvalidTraceContextError extends InvalidArgumentError {
  constructor(reason: string) {
    super('traceContext', reason);
  }
}
