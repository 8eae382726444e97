import type { PostgresNames } from '../names.js';
import type { Migration } from './migration.js';

/**
 * The trace context of the call that scheduled a task. Read with `0004-trace-context.sql`.
 *
 * A nullable column without a default, so that adding it rewrites nothing; it stays NULL unless
 * trace context propagation is on (docs/opentelemetry.md).
 */
export const migration0004TraceContext: Migration = {
  version: 4,
  name: 'trace-context',
  sql: (
    n: PostgresNames,
  ) => `-- {"traceparent":"00-…","tracestate":"…"} of the scheduling call, at most 1 KiB; NULL: none.
ALTER TABLE ${n.tasks} ADD COLUMN IF NOT EXISTS trace_context jsonb;`,
};
