/**
 * The writes about claimed tasks: extending leases, settling outcomes, giving leases back. Each
 * takes a batch in one statement and is fenced: it touches a task only while the owner still holds
 * it at the version its claim returned (`FENCED`).
 */
import type { LeaseRef, TaskOutcome } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { encodePayload, storableText, timestampParam, type EncodedPayload } from '../row-mapping.js';
import { FENCED, LEASE_END, notifyMs } from './fragments.js';
import { statement } from './statement.js';

/** A batch of leases of one owner. */
export interface LeasesArgs {
  owner: string;
  leases: readonly LeaseRef[];
}

/** The leases as input rows (slug, version, owner); the parameters are named `owner`, `slugs`, `versions`. */
const leaseInput = (p: { owner: string; slugs: string; versions: string }): string => `
WITH input AS MATERIALIZED (
  SELECT *, ${p.owner}::text AS owner FROM unnest(${p.slugs}::text[], ${p.versions}::bigint[]) AS i(slug, version)
)`;

const leaseColumns = ({ owner, leases }: LeasesArgs) => ({
  owner,
  slugs: leases.map((l) => l.slug),
  versions: leases.map((l) => l.version),
});

/** The columns of a batch of outcomes; every payload is encoded first, so a bad one refuses the whole batch. */
function outcomeColumns(outcomes: readonly TaskOutcome[]) {
  const payloads: Array<EncodedPayload | null> = outcomes.map((o) =>
    o.type === 'reschedule' && o.payload !== undefined ? encodePayload(o.payload) : null,
  );
  const column = <T>(pick: (o: TaskOutcome, i: number) => T): T[] => outcomes.map(pick);
  return {
    slugs: column((o) => o.slug),
    versions: column((o) => o.version),
    remove: column((o) => o.type === 'delete'),
    runAt: column((o) => (o.type === 'reschedule' ? timestampParam('runAt', o.runAt) : null)),
    retry: column((o) => (o.type === 'reschedule' ? o.retry : null)),
    result: column((o) => (o.type === 'reschedule' ? storableText(o.result) : null)),
    failed: column((o) => (o.type === 'reschedule' ? o.failed : null)),
    setPayload: column((_o, i) => payloads[i] !== null),
    payloadJson: column((_o, i) => payloads[i]?.json ?? null),
    payloadBytes: column((_o, i) => payloads[i]?.bytes ?? null),
  };
}

export function settleStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /** Returns the slugs whose lease was extended. */
    extendLeases: statement(
      'extend_leases',
      ['owner', 'slugs', 'versions', 'leaseMs'],
      (p) => `${leaseInput(p)}
UPDATE ${T} AS t
SET locked_until = ${LEASE_END(p.leaseMs)}
FROM input AS i
WHERE ${FENCED('t', 'i')}
RETURNING t.slug`,
      (a: LeasesArgs & { leaseMs: number }) => ({ ...leaseColumns(a), leaseMs: a.leaseMs }),
    ),

    /**
     * Applies a batch of outcomes (one array per field) in one statement: each deletes or
     * reschedules its task only if the owner still holds it at that version. Returns the applied
     * slugs; at most one NOTIFY (the earliest rescheduled time that is claimable).
     */
    settle: statement(
      'settle',
      [
        'owner',
        'slugs',
        'versions',
        'remove',
        'runAt',
        'retry',
        'result',
        'failed',
        'setPayload',
        'payloadJson',
        'payloadBytes',
        'channel',
      ],
      (p) => `
WITH input AS MATERIALIZED (
  SELECT *, ${p.owner}::text AS owner
  FROM unnest(${p.slugs}::text[], ${p.versions}::bigint[], ${p.remove}::boolean[], ${p.runAt}::timestamptz[], ${p.retry}::integer[], ${p.result}::text[],
              ${p.failed}::boolean[], ${p.setPayload}::boolean[], ${p.payloadJson}::json[], ${p.payloadBytes}::bytea[])
    AS i(slug, version, remove, run_at, retry, result, failed, set_payload, payload, payload_bytes)
), removed AS (
  DELETE FROM ${T} AS t
  USING input AS i
  WHERE i.remove AND ${FENCED('t', 'i')}
  RETURNING t.slug
), rescheduled AS (
  UPDATE ${T} AS t
  SET run_at = i.run_at,
      retry = i.retry,
      result = i.result,
      failed = i.failed,
      payload = CASE WHEN i.set_payload THEN i.payload ELSE t.payload END,
      payload_bytes = CASE WHEN i.set_payload THEN i.payload_bytes ELSE t.payload_bytes END,
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
  FROM input AS i
  WHERE NOT i.remove AND ${FENCED('t', 'i')}
  RETURNING t.slug, t.run_at, t.paused, t.failed
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('min(r.run_at)')})
  FROM rescheduled AS r
  WHERE NOT r.paused AND NOT r.failed AND ${p.channel}::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT ARRAY(SELECT slug FROM removed) AS removed,
       ARRAY(SELECT slug FROM rescheduled) AS rescheduled,
       (SELECT count(*) FROM notified) AS notified`,
      (a: { owner: string; outcomes: readonly TaskOutcome[]; channel: string | null }) => ({
        owner: a.owner,
        ...outcomeColumns(a.outcomes),
        channel: a.channel,
      }),
    ),

    /**
     * The common case of `settle` (a batch of one-time tasks that succeeded): only deletes, so two
     * arrays instead of ten, no rescheduling branch and no NOTIFY. Returns the slugs that were NOT
     * deleted (lease lost): normally an empty array, so that a batch of hundreds of outcomes sends
     * nothing back but `{}`.
     */
    settleDeletes: statement(
      'settle_deletes',
      ['owner', 'slugs', 'versions'],
      (p) => `${leaseInput(p)}, removed AS (
  DELETE FROM ${T} AS t
  USING input AS i
  WHERE ${FENCED('t', 'i')}
  RETURNING t.slug
)
SELECT ARRAY(
  SELECT i.slug FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM removed AS r WHERE r.slug = i.slug)
) AS rejected`,
      leaseColumns,
    ),

    /** Gives leases back; the tasks are claimable at once. */
    release: statement(
      'release',
      ['owner', 'slugs', 'versions', 'channel'],
      (p) => `${leaseInput(p)}, released AS (
  UPDATE ${T} AS t
  SET locked_by = NULL, locked_until = NULL, updated_at = now()
  FROM input AS i
  WHERE ${FENCED('t', 'i')}
  RETURNING t.run_at, t.paused, t.failed
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('min(r.run_at)')})
  FROM released AS r
  WHERE NOT r.paused AND NOT r.failed AND ${p.channel}::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT (SELECT count(*) FROM released) AS released, (SELECT count(*) FROM notified) AS notified`,
      (a: LeasesArgs & { channel: string | null }) => ({ ...leaseColumns(a), channel: a.channel }),
    ),
  };
}
