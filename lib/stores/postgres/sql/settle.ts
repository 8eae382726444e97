/**
 * The writes about claimed tasks: extending leases, settling outcomes, giving leases back. Each
 * takes a batch in one statement and is fenced: it touches a task only while the owner still holds
 * it at the version its claim returned (`FENCED`).
 */
import type { LeaseRef, TaskOutcome } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { epochMsParam, setPayloadFields, storableText } from '../row-mapping.js';
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

/**
 * One outcome as a record of the settle document: short keys, a key only when it is needed. Times
 * are epoch ms; a new payload is its JSON text (or base64 bytes), written only when present.
 */
interface OutcomeRecord {
  s: string;
  v: number;
  d?: true;
  r?: number;
  n?: number;
  e?: string;
  f?: true;
  p?: string;
  b?: string;
}

/**
 * A batch of outcomes as one JSON document (one native `JSON.stringify`, parsed once by the
 * server), rather than ten arrays serialised element by element. The outcomes are checked by
 * `settle` (`assertOutcome`) before they are bound, so a bad one refuses the whole batch before
 * anything is written.
 */
function outcomeDocument(outcomes: readonly TaskOutcome[]): string {
  const records = outcomes.map((o): OutcomeRecord => {
    if (o.type === 'delete') return { s: o.slug, v: o.version, d: true };
    const record: OutcomeRecord = { s: o.slug, v: o.version, r: epochMsParam('runAt', o.runAt) };
    if (o.retry !== 0) record.n = o.retry;
    const result = storableText(o.result);
    if (result !== null) record.e = result;
    if (o.failed) record.f = true;
    if (o.payload !== undefined) setPayloadFields(record, o.payload);
    return record;
  });
  return JSON.stringify(records);
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
     * Applies a batch of outcomes (one JSON document) in one statement: each deletes or
     * reschedules its task only if the owner still holds it at that version. Returns the slugs NOT
     * applied (lease lost): normally none, so that a batch of hundreds sends back only `{}`; at most
     * one NOTIFY (the earliest rescheduled time that is claimable).
     */
    settle: statement(
      'settle',
      ['owner', 'outcomes', 'channel'],
      (p) => `
WITH input AS MATERIALIZED (
  SELECT i.s AS slug, i.v AS version, ${p.owner}::text AS owner, coalesce(i.d, false) AS remove,
         'epoch'::timestamptz + i.r * interval '1 millisecond' AS run_at, coalesce(i.n, 0) AS retry,
         i.e AS result, coalesce(i.f, false) AS failed, (i.p IS NOT NULL OR i.b IS NOT NULL) AS set_payload,
         i.p::json AS payload, decode(i.b, 'base64') AS payload_bytes
  FROM json_to_recordset(${p.outcomes}::json)
    AS i(s text, v bigint, d boolean, r bigint, n integer, e text, f boolean, p text, b text)
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
), applied AS (
  SELECT slug FROM removed UNION ALL SELECT slug FROM rescheduled
)
SELECT ARRAY(
  SELECT i.slug FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM applied AS a WHERE a.slug = i.slug)
) AS rejected,
       (SELECT count(*) FROM notified) AS notified`,
      (a: { owner: string; outcomes: readonly TaskOutcome[]; channel: string | null }) => ({
        owner: a.owner,
        outcomes: outcomeDocument(a.outcomes),
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
