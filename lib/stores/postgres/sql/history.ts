/** The execution history: appending a batch of records, reading a task's, pruning old ones. */
import type { HistoryRecord } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { storableText, timestampParam } from '../row-mapping.js';
import { ms } from './fragments.js';
import { statement } from './statement.js';

export function historyStatements(n: PostgresNames) {
  const H = n.history;
  return {
    /** One array per field. */
    appendHistory: statement(
      'append_history',
      [
        'slugs',
        'kinds',
        'scheduledAt',
        'startedAt',
        'finishedAt',
        'outcomes',
        'errors',
        'attempts',
        'instanceIds',
      ],
      (p) => `
INSERT INTO ${H} (slug, kind, scheduled_at, started_at, finished_at, outcome, error, attempt, instance_id)
SELECT *
FROM unnest(${p.slugs}::text[], ${p.kinds}::text[], ${p.scheduledAt}::timestamptz[], ${p.startedAt}::timestamptz[], ${p.finishedAt}::timestamptz[], ${p.outcomes}::text[],
            ${p.errors}::text[], ${p.attempts}::integer[], ${p.instanceIds}::text[])`,
      ({ records }: { records: readonly HistoryRecord[] }) => {
        const column = <T>(pick: (r: HistoryRecord) => T): T[] => records.map(pick);
        return {
          slugs: column((r) => r.slug),
          kinds: column((r) => r.kind),
          scheduledAt: column((r) => timestampParam('scheduledAt', r.scheduledAt)),
          startedAt: column((r) => timestampParam('startedAt', r.startedAt)),
          finishedAt: column((r) => timestampParam('finishedAt', r.finishedAt)),
          outcomes: column((r) => r.outcome),
          errors: column((r) => storableText(r.error)),
          attempts: column((r) => r.attempt),
          instanceIds: column((r) => r.instanceId),
        };
      },
    ),

    /** Newest first: a range scan of (slug, finished_at DESC, id DESC). */
    getHistory: statement(
      'get_history',
      ['slug', 'limit'],
      (p) => `
SELECT h.slug, h.kind, ${ms('h.scheduled_at')} AS scheduled_at_ms, ${ms('h.started_at')} AS started_at_ms,
       ${ms('h.finished_at')} AS finished_at_ms, h.outcome, h.error, h.attempt, h.instance_id
FROM ${H} AS h
WHERE h.slug = ${p.slug}
ORDER BY h.finished_at DESC, h.id DESC
LIMIT ${p.limit}`,
      (a: { slug: string; limit: number }) => ({ slug: a.slug, limit: Math.floor(a.limit) }),
    ),

    /**
     * Deletes up to `batch` records that finished before `before`; the store repeats it until a batch
     * comes back short, so that pruning never holds many row locks at once.
     */
    pruneHistory: statement(
      'prune_history',
      ['before', 'batch'],
      (p) => `
WITH doomed AS (
  SELECT h.id FROM ${H} AS h WHERE h.finished_at < ${p.before}::timestamptz ORDER BY h.finished_at LIMIT ${p.batch}
), deleted AS (
  DELETE FROM ${H} AS h USING doomed AS d WHERE h.id = d.id RETURNING 1
)
SELECT count(*)::integer AS deleted FROM deleted`,
      (a: { before: Date; batch: number }) => ({
        before: timestampParam('before', a.before),
        batch: a.batch,
      }),
    ),
  };
}
