/**
 * The run loop's reads of the queue: when the next task becomes claimable (`nextRun`, the idle
 * loop's only query) and claiming a batch (`claim`). Both find tasks through the due index (waiting
 * tasks) and the leased index (tasks whose lease may end), per kind.
 */
import type { ClaimRequest } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { DUE, HELD, LEASE_END, taskColumns, WAITING } from './fragments.js';
import { statement } from './statement.js';

export function claimStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /**
     * When the earliest task of these kinds becomes claimable: per kind, the first entry of the due
     * index and the first of the leased index (with nothing running the leased index is empty). Epoch
     * ms, rounded up; NULL when there is none.
     */
    nextRun: statement(
      'next_run',
      ['kinds'],
      (p) => `
SELECT ceil(extract(epoch FROM min(least(
  (SELECT t.run_at
   FROM ${T} AS t
   WHERE t.kind = k.kind AND ${WAITING('t')}
   ORDER BY t.run_at
   LIMIT 1),
  (SELECT ${DUE('t')}
   FROM ${T} AS t
   WHERE t.kind = k.kind AND ${HELD('t')}
   ORDER BY ${DUE('t')}
   LIMIT 1)
)))::numeric * 1000)::float8 AS next_ms
FROM unnest(${p.kinds}::text[]) AS k(kind)`,
      (a: { kinds: readonly string[] }) => ({ kinds: [...a.kinds] }),
    ),

    /**
     * Claims up to `limit` claimable tasks in runAt order, in one statement. Per kind, two index
     * range scans lock the first claimable rows they can: waiting tasks due by now() (due index), and
     * tasks whose lease ended (leased index; few). SKIP LOCKED passes over rows another claimer is
     * taking, never waiting for them. The earliest `limit` of those across kinds get the lease; locks
     * on the others end with the statement. The lease end is truncated to whole milliseconds, so that
     * what `nextRun` and the task report agree exactly.
     */
    claim: statement(
      'claim',
      ['kinds', 'owner', 'leaseMs', 'limit'],
      (p) => `
WITH candidates AS (
  SELECT c.slug
  FROM unnest(${p.kinds}::text[]) AS k(kind)
  CROSS JOIN LATERAL (
    SELECT * FROM (
      SELECT t.slug, t.run_at
      FROM ${T} AS t
      WHERE t.kind = k.kind AND ${WAITING('t')} AND t.run_at <= now()
      ORDER BY t.run_at
      LIMIT ${p.limit}
      FOR UPDATE SKIP LOCKED
    ) AS waiting
    UNION ALL
    SELECT * FROM (
      SELECT t.slug, t.run_at
      FROM ${T} AS t
      WHERE t.kind = k.kind AND ${HELD('t')} AND ${DUE('t')} <= now()
      ORDER BY t.run_at
      LIMIT ${p.limit}
      FOR UPDATE SKIP LOCKED
    ) AS expired
  ) AS c
  ORDER BY c.run_at
  LIMIT ${p.limit}
)
UPDATE ${T} AS t
SET locked_by = ${p.owner},
    locked_until = ${LEASE_END(p.leaseMs)},
    version = t.version + 1,
    updated_at = now()
WHERE t.slug = ANY (ARRAY(SELECT slug FROM candidates))
RETURNING ${taskColumns('t')}`,
      (request: ClaimRequest) => ({
        kinds: [...request.kinds],
        owner: request.owner,
        leaseMs: request.leaseMs,
        limit: Math.floor(request.limit),
      }),
    ),
  };
}
