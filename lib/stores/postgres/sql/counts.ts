/** The console's counts: tasks per kind and state, and runs per kind and outcome since a time. */
import type { PostgresNames } from '../names.js';
import { timestampParam } from '../row-mapping.js';
import { HELD, LIVE, PARKED, WAITING } from './fragments.js';
import { statement } from './statement.js';

export function countStatements(n: PostgresNames) {
  const T = n.tasks;
  const H = n.history;
  return {
    /**
     * Per kind, the tasks in each state: each of the three partial indexes (waiting, held, parked),
     * which between them hold every task, is counted on its own, grouped by its leading column. The
     * waiting index answers "scheduled" without reading rows (an index-only scan once the table has
     * been vacuumed); the held and parked ones are small and are read to tell a live lease apart.
     */
    countByKind: statement(
      'count_by_kind',
      `
SELECT c.kind,
       sum(c.scheduled)::integer AS scheduled,
       sum(c.running)::integer AS running,
       sum(c.failed)::integer AS failed,
       sum(c.paused)::integer AS paused
FROM (
  SELECT t.kind, count(*) AS scheduled, 0 AS running, 0 AS failed, 0 AS paused
  FROM ${T} AS t
  WHERE ${WAITING('t')}
  GROUP BY t.kind
  UNION ALL
  SELECT t.kind, count(*) FILTER (WHERE NOT ${LIVE('t')}), count(*) FILTER (WHERE ${LIVE('t')}), 0, 0
  FROM ${T} AS t
  WHERE ${HELD('t')}
  GROUP BY t.kind
  UNION ALL
  SELECT t.kind,
         0,
         count(*) FILTER (WHERE ${LIVE('t')}),
         count(*) FILTER (WHERE t.failed AND NOT t.paused AND NOT ${LIVE('t')}),
         count(*) FILTER (WHERE t.paused AND NOT ${LIVE('t')})
  FROM ${T} AS t
  WHERE ${PARKED('t')}
  GROUP BY t.kind
) AS c
GROUP BY c.kind
ORDER BY c.kind`,
    ),

    /** Per kind, the executions that finished since then, by outcome: a range scan of the finish-time index. */
    countHistory: statement(
      'count_history',
      ['since'],
      (p) => `
SELECT h.kind,
       count(*) FILTER (WHERE h.outcome = 'succeeded')::integer AS succeeded,
       count(*) FILTER (WHERE h.outcome = 'failed')::integer AS failed,
       count(*) FILTER (WHERE h.outcome NOT IN ('succeeded', 'failed'))::integer AS lease_lost
FROM ${H} AS h
WHERE h.finished_at >= ${p.since}::timestamptz
GROUP BY h.kind
ORDER BY h.kind`,
      (a: { since: Date }) => ({ since: timestampParam('since', a.since) }),
    ),
  };
}
