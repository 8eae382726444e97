/**
 * The run loop's reads of the queue: when the next task becomes claimable (`nextRun`, the idle
 * loop's only query) and claiming a batch (`claim`). Both find tasks through the ready index
 * (waiting tasks, by kind, priority and run_at) and the leased index (tasks whose lease may end),
 * per kind.
 *
 * Priorities are read by a skip scan: `levels` walks the distinct priorities of the kinds asked for
 * from the highest down, one index probe per level (`ORDER BY priority DESC LIMIT 1` below the
 * last level found), and each level is then read as its own range of the ready index, entries due
 * by now() in run_at order. So a claim reads the due entries of the levels it takes from and one
 * probe per level it passes, never the not-yet-due tasks of a level (as an index on (kind,
 * priority, run_at) filtered by `run_at <= now()` would), and never sorts the due set.
 */
import type { ClaimRequest } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { DUE, HELD, TAKE_LEASE, taskColumns, WAITING } from './fragments.js';
import { statement } from './statement.js';

/**
 * `levels(p)`: the distinct priorities of waiting tasks of the kinds in `kinds` (a text[]
 * parameter), highest first, then one row with p NULL. A recursive CTE yields its rows in the
 * order it finds them, and the nested loops that read it keep that order: what `LIMIT` relies on
 * to stop at the first levels that fill a claim.
 */
export const LEVELS = (T: string, kinds: string): string => `
levels(p) AS (
  SELECT max(x.p) FROM unnest(${kinds}::text[]) AS k(kind)
  CROSS JOIN LATERAL (
    SELECT t.priority AS p FROM ${T} AS t
    WHERE t.kind = k.kind AND ${WAITING('t')}
    ORDER BY t.priority DESC LIMIT 1
  ) AS x
  UNION ALL
  SELECT (
    SELECT max(x.p) FROM unnest(${kinds}::text[]) AS k(kind)
    CROSS JOIN LATERAL (
      SELECT t.priority AS p FROM ${T} AS t
      WHERE t.kind = k.kind AND ${WAITING('t')} AND t.priority < l.p
      ORDER BY t.priority DESC LIMIT 1
    ) AS x
  )
  FROM levels AS l
  WHERE l.p IS NOT NULL
)`;

export function claimStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /**
     * When the earliest task of these kinds becomes claimable: per level and kind, the first entry
     * of the ready index, and per kind the first of the leased index (with nothing running the
     * leased index is empty). Epoch ms, rounded up; NULL when there is none.
     */
    nextRun: statement(
      'next_run',
      ['kinds'],
      (p) => `
WITH RECURSIVE ${LEVELS(T, p.kinds)}
SELECT ceil(extract(epoch FROM least(
  (SELECT min(first.run_at)
   FROM levels AS l
   CROSS JOIN unnest(${p.kinds}::text[]) AS k(kind)
   CROSS JOIN LATERAL (
     SELECT t.run_at
     FROM ${T} AS t
     WHERE t.kind = k.kind AND ${WAITING('t')} AND t.priority = l.p
     ORDER BY t.run_at
     LIMIT 1
   ) AS first
   WHERE l.p IS NOT NULL),
  (SELECT min((SELECT ${DUE('t')}
     FROM ${T} AS t
     WHERE t.kind = k.kind AND ${HELD('t')}
     ORDER BY ${DUE('t')}
     LIMIT 1))
   FROM unnest(${p.kinds}::text[]) AS k(kind))
))::numeric * 1000)::float8 AS next_ms`,
      (a: { kinds: readonly string[] }) => ({ kinds: [...a.kinds] }),
    ),

    /**
     * Claims up to `limit` claimable tasks, higher priority first, then earlier run_at, in one
     * statement. Waiting tasks come from the skip scan of the ready index (level by level, each
     * level's entries due by now() per kind in run_at order, merged across kinds); tasks whose lease
     * ended from the leased index (few). SKIP LOCKED passes over rows another claimer is taking,
     * never waiting for them. The first `limit` of those get the lease; locks on the others end with
     * the statement. The lease end is truncated to whole milliseconds, so that what `nextRun` and the
     * task report agree exactly. The update finds its rows by the ctid their lock was taken on (a
     * TID scan, not a second index probe per row): a row locked by this statement cannot move
     * before it ends.
     */
    claim: statement(
      'claim',
      ['kinds', 'owner', 'leaseMs', 'limit'],
      (p) => `
WITH RECURSIVE ${LEVELS(T, p.kinds)},
waiting AS (
  SELECT w.slug, w.priority, w.run_at, w.ctid
  FROM levels AS l
  CROSS JOIN LATERAL (
    SELECT c.slug, c.priority, c.run_at, c.ctid
    FROM unnest(${p.kinds}::text[]) AS k(kind)
    CROSS JOIN LATERAL (
      SELECT t.slug, t.priority, t.run_at, t.ctid
      FROM ${T} AS t
      WHERE t.kind = k.kind AND ${WAITING('t')} AND t.priority = l.p AND t.run_at <= now()
      ORDER BY t.run_at
      LIMIT ${p.limit}
      FOR UPDATE SKIP LOCKED
    ) AS c
    ORDER BY c.run_at
    LIMIT ${p.limit}
  ) AS w
  WHERE l.p IS NOT NULL
  LIMIT ${p.limit}
),
expired AS (
  SELECT c.slug, c.priority, c.run_at, c.ctid
  FROM unnest(${p.kinds}::text[]) AS k(kind)
  CROSS JOIN LATERAL (
    SELECT t.slug, t.priority, t.run_at, t.ctid
    FROM ${T} AS t
    WHERE t.kind = k.kind AND ${HELD('t')} AND ${DUE('t')} <= now()
    ORDER BY t.run_at
    LIMIT ${p.limit}
    FOR UPDATE SKIP LOCKED
  ) AS c
),
candidates AS (
  SELECT c.ctid
  FROM (SELECT * FROM waiting UNION ALL SELECT * FROM expired) AS c
  ORDER BY c.priority DESC, c.run_at
  LIMIT ${p.limit}
)
UPDATE ${T} AS t
SET ${TAKE_LEASE(p.owner, p.leaseMs)}
WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM candidates))
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
