/**
 * The claim of one kind with cluster-wide limits (`ClaimRequest.limits`): the rules of
 * `core/store/claim-limits.ts` (`ClaimBudget`), stated in SQL. The store runs it in a transaction
 * right after `pg_advisory_xact_lock(limitLockKey, <kind hash>)`, so that claims of the kind are
 * serialised and each one's snapshot (taken after the lock, READ COMMITTED) sees every claim before
 * it: two instances cannot both take the last slot. The lock is the transaction's: nothing is held
 * by a process between claims, and a dead instance's share is freed when its leases run out (only
 * live leases are counted).
 *
 * - running: live leases of the kind (leased index), and per concurrency key;
 * - recent starts: rows of `<table>_starts` for the kind within the rate window (a sliding log the
 *   statement appends its claims to, and prunes);
 * - allowance: least(limit, globalConcurrency - running, rateLimit.max - recent starts);
 * - candidates: the skip scan of `claim.ts`, over a window of `scan` due tasks whose key is not at
 *   its limit yet, and expired leases; a key takes at most `keyConcurrency - running(key)` of them.
 *   Candidates are read without row locks (claims of the kind are serialised already, and locking
 *   the whole window cost more than the claim): the UPDATE re-checks that each chosen task is
 *   still claimable, on its latest version if another writer changed it meanwhile.
 */
import { createHash } from 'node:crypto';

import type { KindLimits } from '../../../core/store/claim-limits.js';
import type { PostgresNames } from '../names.js';
import { LEVELS } from './claim.js';
import { DUE, HELD, LIVE, TAKE_LEASE, taskColumns, WAITING } from './fragments.js';
import { statement } from './statement.js';

/** What it takes to claim a limited kind. */
export interface LimitedClaimArgs {
  kind: string;
  limits: KindLimits;
  owner: string;
  leaseMs: number;
  limit: number;
}

/**
 * How many due candidates a claim with a per-key limit looks at: more than it may take, so that
 * several tasks of one key at the head of the queue do not hide other keys' tasks behind them.
 */
const KEY_SCAN_FACTOR = 10;
const MAX_KEY_SCAN = 1000;

/**
 * BEGIN and the lock that serialises the claims of one limited kind until the transaction ends, as
 * one simple-protocol round trip: both lock keys are numbers (the table's, and a hash of the kind
 * computed here), so no text of a caller's reaches the SQL.
 */
export function beginLimitedClaim(n: PostgresNames, kind: string): string {
  const kindKey = createHash('sha256').update(kind, 'utf8').digest().readInt32BE(0);
  // The generic plan of the claim is as good as a custom one (the level walk and the LIMITs do not
  // depend on the values) and saves planning it on every call: ~0.3 ms of a ~1.5 ms claim.
  return (
    `BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; ` +
    `SELECT pg_advisory_xact_lock(${Math.trunc(n.limitLockKey)}, ${Math.trunc(kindKey)})`
  );
}

export function limitedClaimStatements(n: PostgresNames) {
  const T = n.tasks;
  const S = n.starts;
  return {
    claimLimited: statement(
      'claim_limited',
      [
        'kinds',
        'owner',
        'leaseMs',
        'limit',
        'scan',
        'globalConcurrency',
        'keyConcurrency',
        'rateMax',
        'ratePerMs',
      ],
      (p) => `
WITH RECURSIVE ${LEVELS(T, p.kinds)},
running AS MATERIALIZED (
  SELECT t.concurrency_key AS key
  FROM ${T} AS t
  WHERE t.kind = (${p.kinds}::text[])[1] AND ${HELD('t')} AND t.locked_until > now()
),
busy AS MATERIALIZED (
  SELECT r.key, count(*) AS n FROM running AS r WHERE r.key IS NOT NULL GROUP BY r.key
),
allowance AS (
  SELECT greatest(0, least(
    ${p.limit}::integer,
    ${p.globalConcurrency}::integer - (SELECT count(*) FROM running),
    ${p.rateMax}::integer - (
      SELECT count(*) FROM ${S} AS s
      WHERE ${p.ratePerMs}::float8 IS NOT NULL AND s.kind = (${p.kinds}::text[])[1]
        AND s.started_at > now() - ${p.ratePerMs}::float8 * interval '1 millisecond')
  )) AS n
),
waiting AS (
  SELECT w.slug, w.priority, w.run_at, w.concurrency_key
  FROM levels AS l
  CROSS JOIN LATERAL (
    SELECT t.slug, t.priority, t.run_at, t.concurrency_key
    FROM ${T} AS t
    WHERE t.kind = (${p.kinds}::text[])[1] AND ${WAITING('t')} AND t.priority = l.p AND t.run_at <= now()
      AND NOT EXISTS (SELECT 1 FROM busy AS b WHERE b.key = t.concurrency_key AND b.n >= ${p.keyConcurrency}::integer)
    ORDER BY t.run_at
    LIMIT ${p.scan}
  ) AS w
  WHERE l.p IS NOT NULL
  LIMIT ${p.scan}
),
expired AS (
  SELECT t.slug, t.priority, t.run_at, t.concurrency_key
  FROM ${T} AS t
  WHERE t.kind = (${p.kinds}::text[])[1] AND ${HELD('t')} AND ${DUE('t')} <= now()
    AND NOT EXISTS (SELECT 1 FROM busy AS b WHERE b.key = t.concurrency_key AND b.n >= ${p.keyConcurrency}::integer)
  ORDER BY t.run_at
  LIMIT ${p.scan}
),
ranked AS (
  SELECT c.slug, c.priority, c.run_at, c.concurrency_key,
         row_number() OVER (PARTITION BY c.concurrency_key ORDER BY c.priority DESC, c.run_at) AS rank
  FROM (SELECT * FROM waiting UNION ALL SELECT * FROM expired) AS c
),
chosen AS (
  SELECT r.slug
  FROM ranked AS r
  LEFT JOIN busy AS b ON b.key = r.concurrency_key
  WHERE r.concurrency_key IS NULL OR ${p.keyConcurrency}::integer IS NULL
     OR r.rank + coalesce(b.n, 0) <= ${p.keyConcurrency}::integer
  ORDER BY r.priority DESC, r.run_at
  LIMIT (SELECT a.n FROM allowance AS a)
),
claimed AS (
  UPDATE ${T} AS t
  SET ${TAKE_LEASE(p.owner, p.leaseMs)}
  WHERE t.slug = ANY (ARRAY(SELECT slug FROM chosen))
    -- Claimable still: re-checked on the row's latest version if a writer changed it meanwhile.
    AND NOT t.paused AND NOT t.failed AND ${DUE('t')} <= now() AND NOT ${LIVE('t')}
  RETURNING ${taskColumns('t')}
),
started AS (
  INSERT INTO ${S} (kind, started_at)
  SELECT c.kind, now() FROM claimed AS c WHERE ${p.ratePerMs}::float8 IS NOT NULL
),
pruned AS (
  DELETE FROM ${S} AS s
  WHERE ${p.ratePerMs}::float8 IS NOT NULL AND s.kind = (${p.kinds}::text[])[1]
    AND s.started_at <= now() - ${p.ratePerMs}::float8 * interval '1 millisecond'
)
SELECT * FROM claimed`,
      (a: LimitedClaimArgs) => ({
        // One kind, as an array so that the level walk of claim.ts reads it as it is.
        kinds: [a.kind],
        owner: a.owner,
        leaseMs: a.leaseMs,
        limit: Math.floor(a.limit),
        scan:
          a.limits.keyConcurrency === undefined
            ? Math.floor(a.limit)
            : Math.min(MAX_KEY_SCAN, Math.max(Math.floor(a.limit) * KEY_SCAN_FACTOR, Math.floor(a.limit))),
        globalConcurrency: a.limits.globalConcurrency ?? null,
        keyConcurrency: a.limits.keyConcurrency ?? null,
        rateMax: a.limits.rateLimit?.max ?? null,
        ratePerMs: a.limits.rateLimit?.perMs ?? null,
      }),
    ),
  };
}
