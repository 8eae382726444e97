import type { PostgresNames } from '../names.js';
import type { Migration } from './migration.js';

/**
 * Priorities and cluster-wide limits (issue 14). Read with `0005-policies.sql`.
 *
 * - `priority`: NOT NULL DEFAULT 0, which PostgreSQL 11+ adds without rewriting the table (old rows
 *   read as 0). `concurrency_key`: nullable, no default, nothing rewritten.
 * - The due index (kind, run_at) becomes the ready index (kind, priority, run_at), same predicate:
 *   a claim walks the priority levels of a kind from the highest down, and in each level takes the
 *   entries due by now() in run_at order (a skip scan, so not-yet-due tasks of a high level are
 *   never read). One index, not two: every claim and settle moves a row in and out of it, and a
 *   second one would cost a write each. Building it holds a write lock on the table for as long
 *   as the build takes (seconds per million waiting tasks): run the migration as a deploy step.
 * - `<table>_starts`: one row per start of a rate-limited kind, kept for its rate window by the
 *   claims themselves (a sliding log: exact, and at most `rateLimit.max` rows per kind).
 */
export const migration0005Policies: Migration = {
  version: 5,
  name: 'policies',
  sql: (
    n: PostgresNames,
  ) => `-- Higher is claimed first among due tasks; -1000..1000 (checked by the library), 0 by default.
ALTER TABLE ${n.tasks} ADD COLUMN IF NOT EXISTS priority smallint NOT NULL DEFAULT 0;
-- The key of the kind's per-key limit (keyConcurrency), computed when the task was created; NULL: none.
ALTER TABLE ${n.tasks} ADD COLUMN IF NOT EXISTS concurrency_key text COLLATE "C";

-- Waiting tasks by priority level, then due time: claims skip-scan the levels of a kind, highest first.
CREATE INDEX IF NOT EXISTS ${n.indexes.ready}
  ON ${n.tasks} (kind, priority, run_at)
  WHERE NOT paused AND NOT failed AND locked_by IS NULL;
DROP INDEX IF EXISTS ${n.schemaSql}.${n.indexes.due};

-- Starts of rate-limited kinds within their window (older rows are deleted by the next claim of the kind).
CREATE TABLE IF NOT EXISTS ${n.starts} (
  kind       text COLLATE "C" NOT NULL,
  started_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${n.indexes.startsKind} ON ${n.starts} (kind, started_at);
`,
};
