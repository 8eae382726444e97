/**
 * Every SQL statement of the PostgreSQL store, named, in one place for reviewers and DBAs.
 *
 * The channel parameter of the statements that NOTIFY is NULL when the store was built with
 * `notify: false`: then nothing is sent.
 *
 * Only the validated, quoted schema and table names (see `names.ts`) are spliced into the text;
 * every value travels as a bind parameter. Times are compared with the database clock (`now()`)
 * only, never with an instance's clock. Timestamps come back as epoch milliseconds (float8) and
 * payloads as text, so that results do not depend on the type parsers an application may have
 * installed on its `pg` driver.
 *
 * Nothing else in the store holds SQL but the migrations' DDL (`migrations/`). The schema name in
 * `createSchemaIfMissing` is a validated identifier, so it is safe inside a literal too.
 */
import type { PostgresNames } from './names.js';

/** One SQL statement of the store. */
export interface SqlStatement {
  /** A stable name (also the prepared statement's name, suffixed with the table's tag). */
  name: string;
  text: string;
}

/** The statements of one store, for its table names. */
export type PostgresQueries = ReturnType<typeof buildQueries>;

/** Epoch milliseconds of a timestamptz, floored (exact for a JavaScript `Date`, which has ms precision). */
const ms = (column: string): string => `floor(extract(epoch FROM ${column})::numeric * 1000)::float8`;

/** The columns of a task row, as `rowToTask` reads them. */
function taskColumns(alias: string): string {
  const a = alias;
  return [
    `${a}.slug`,
    `${a}.kind`,
    `${a}.payload::text AS payload_json`,
    `${a}.payload_bytes`,
    `${ms(`${a}.run_at`)} AS run_at_ms`,
    `${a}.version`,
    `${a}.incarnation`,
    `${a}.retry`,
    `${a}.result`,
    `${a}.failed`,
    `${a}.paused`,
    `${a}.schedule::text AS schedule_json`,
    `${a}.locked_by`,
    `${ms(`${a}.locked_until`)} AS locked_until_ms`,
    `${ms(`${a}.created_at`)} AS created_at_ms`,
    `${ms(`${a}.updated_at`)} AS updated_at_ms`,
  ].join(', ');
}

/** The same columns, read back by name from a CTE that returned `taskColumns`. */
const TASK_FIELDS = [
  'slug',
  'kind',
  'payload_json',
  'payload_bytes',
  'run_at_ms',
  'version',
  'incarnation',
  'retry',
  'result',
  'failed',
  'paused',
  'schedule_json',
  'locked_by',
  'locked_until_ms',
  'created_at_ms',
  'updated_at_ms',
];
const fields = (alias: string): string => TASK_FIELDS.map((f) => `${alias}.${f}`).join(', ');

/** When a held task becomes claimable again (the leased index's expression: keep the two identical). */
const DUE = (alias: string): string => `greatest(${alias}.run_at, ${alias}.locked_until)`;

/** The due index's predicate: claimable once run_at has come. */
const WAITING = (a: string): string => `NOT ${a}.paused AND NOT ${a}.failed AND ${a}.locked_by IS NULL`;

/** The parked index's predicate: never claimable as it is. */
const PARKED = (a: string): string => `(${a}.paused OR ${a}.failed)`;

/** The leased index's predicate: claimable once the lease has ended too. */
const HELD = (a: string): string => `NOT ${a}.paused AND NOT ${a}.failed AND ${a}.locked_by IS NOT NULL`;

/**
 * The fencing condition of every write about a claimed task: the input row `i` (slug, version,
 * owner) still holds task `t`. The owner comes in as a column of the input (a MATERIALIZED CTE, so
 * that the planner cannot fold it back into a constant), not as `t.locked_by = $1`: a restriction on
 * the table that the planner estimates at one row (an instance id is never in the column statistics)
 * makes it pick, for a table of some tens of thousands of rows, a sequential scan joined to the batch
 * by a nested loop (500 outcomes x 500 rows compared: 30-140 ms per batch instead of ~2 ms). As a
 * join condition it leaves one primary key probe per input row as the cheap plan.
 */
const FENCED = (t: string, i: string): string =>
  `${t}.slug = ${i}.slug AND ${t}.version = ${i}.version AND ${t}.locked_by = ${i}.owner`;

/** now() plus a lease in ms ($n), in whole milliseconds like every time a JavaScript Date can hold. */
const LEASE_END = (param: string): string =>
  `date_trunc('milliseconds', now() + ${param}::float8 * interval '1 millisecond')`;

/** The NOTIFY payload: epoch ms, rounded up so that a woken loop never looks a fraction too early. */
const notifyMs = (timestamp: string): string =>
  `ceil(extract(epoch FROM ${timestamp})::numeric * 1000)::bigint::text`;

/** Builds the statements for one table. */
export function buildQueries(n: PostgresNames) {
  const T = n.tasks;
  const H = n.history;
  const statement = (name: string, text: string): SqlStatement => ({ name, text: text.trim() });

  return {
    // ---------------------------------------------------------------- writing tasks
    /**
     * $1 slug, $2 kind, $3 payload json text, $4 payload bytes, $5 run_at, $6 schedule jsonb text,
     * $7 paused, $8 channel, $9 incarnation. No row back: the slug exists. Notifies inside the caller's transaction,
     * so a rolled-back create wakes nobody.
     */
    create: statement(
      'create',
      `
WITH inserted AS (
  INSERT INTO ${T} AS t (slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation)
  VALUES ($1, $2, $3::json, $4::bytea, $5::timestamptz, $6::jsonb, $7::boolean, $9::text)
  ON CONFLICT (slug) DO NOTHING
  RETURNING ${taskColumns('t')}, t.run_at AS due
), notified AS (
  SELECT pg_notify($8, ${notifyMs('i.due')}) FROM inserted i WHERE NOT i.paused AND $8::text IS NOT NULL
)
SELECT ${fields('i')}, (SELECT count(*) FROM notified) AS notified FROM inserted i`,
    ),

    /** As `create`, but overwrites an existing task: new version, lease cleared, run state reset. */
    replace: statement(
      'replace',
      `
WITH upserted AS (
  INSERT INTO ${T} AS t (slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation)
  VALUES ($1, $2, $3::json, $4::bytea, $5::timestamptz, $6::jsonb, $7::boolean, $9::text)
  ON CONFLICT (slug) DO UPDATE SET
    kind = EXCLUDED.kind,
    payload = EXCLUDED.payload,
    payload_bytes = EXCLUDED.payload_bytes,
    run_at = EXCLUDED.run_at,
    schedule = EXCLUDED.schedule,
    paused = EXCLUDED.paused,
    incarnation = EXCLUDED.incarnation,
    version = t.version + 1,
    retry = 0,
    result = NULL,
    failed = false,
    locked_by = NULL,
    locked_until = NULL,
    updated_at = now()
  RETURNING ${taskColumns('t')}, t.run_at AS due
), notified AS (
  SELECT pg_notify($8, ${notifyMs('u.due')}) FROM upserted u WHERE NOT u.paused AND $8::text IS NOT NULL
)
SELECT ${fields('u')}, (SELECT count(*) FROM notified) AS notified FROM upserted u`,
    ),

    // ---------------------------------------------------------------- the run loop
    /**
     * $1 kinds. When the earliest task of these kinds becomes claimable: per kind, the first entry of
     * the due index and the first of the leased index (the idle loop's only query; with nothing
     * running the leased index is empty). Epoch ms, rounded up; NULL when there is none.
     */
    nextRun: statement(
      'next_run',
      `
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
FROM unnest($1::text[]) AS k(kind)`,
    ),

    /**
     * $1 kinds, $2 owner, $3 lease ms, $4 limit. Claims up to $4 claimable tasks in runAt order, in
     * one statement. Per kind, two index range scans lock the first claimable rows they can: waiting
     * tasks due by now() (due index), and tasks whose lease ended (leased index; few). SKIP LOCKED
     * passes over rows another claimer is taking, never waiting for them. The earliest $4 of those
     * across kinds get the lease; locks on the others end with the statement. The lease end is
     * truncated to whole milliseconds, so that what `nextRun` and the task report agree exactly.
     */
    claim: statement(
      'claim',
      `
WITH candidates AS (
  SELECT c.slug
  FROM unnest($1::text[]) AS k(kind)
  CROSS JOIN LATERAL (
    SELECT * FROM (
      SELECT t.slug, t.run_at
      FROM ${T} AS t
      WHERE t.kind = k.kind AND ${WAITING('t')} AND t.run_at <= now()
      ORDER BY t.run_at
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    ) AS waiting
    UNION ALL
    SELECT * FROM (
      SELECT t.slug, t.run_at
      FROM ${T} AS t
      WHERE t.kind = k.kind AND ${HELD('t')} AND ${DUE('t')} <= now()
      ORDER BY t.run_at
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    ) AS expired
  ) AS c
  ORDER BY c.run_at
  LIMIT $4
)
UPDATE ${T} AS t
SET locked_by = $2,
    locked_until = ${LEASE_END('$3')},
    version = t.version + 1,
    updated_at = now()
WHERE t.slug = ANY (ARRAY(SELECT slug FROM candidates))
RETURNING ${taskColumns('t')}`,
    ),

    /** $1 owner, $2 slugs, $3 versions, $4 lease ms. Returns the slugs whose lease was extended. */
    extendLeases: statement(
      'extend_leases',
      `
WITH input AS MATERIALIZED (
  SELECT *, $1::text AS owner FROM unnest($2::text[], $3::bigint[]) AS i(slug, version)
)
UPDATE ${T} AS t
SET locked_until = ${LEASE_END('$4')}
FROM input AS i
WHERE ${FENCED('t', 'i')}
RETURNING t.slug`,
    ),

    /**
     * $1 owner, then one array per field of the outcomes ($2 slugs … $11 payload bytes), $12 channel.
     * Applies a batch of outcomes in one statement: each deletes or reschedules its task only if $1
     * still holds it at that version. Returns the applied slugs; at most one NOTIFY (the earliest
     * rescheduled time that is claimable).
     */
    settle: statement(
      'settle',
      `
WITH input AS MATERIALIZED (
  SELECT *, $1::text AS owner
  FROM unnest($2::text[], $3::bigint[], $4::boolean[], $5::timestamptz[], $6::integer[], $7::text[],
              $8::boolean[], $9::boolean[], $10::json[], $11::bytea[])
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
  SELECT pg_notify($12, ${notifyMs('min(r.run_at)')})
  FROM rescheduled AS r
  WHERE NOT r.paused AND NOT r.failed AND $12::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT ARRAY(SELECT slug FROM removed) AS removed,
       ARRAY(SELECT slug FROM rescheduled) AS rescheduled,
       (SELECT count(*) FROM notified) AS notified`,
    ),

    /**
     * $1 owner, $2 slugs, $3 versions. The common case of `settle` (a batch of one-time tasks that
     * succeeded): only deletes, so two arrays instead of ten, no rescheduling branch and no NOTIFY.
     * Returns the slugs that were NOT deleted (lease lost): normally an empty array, so that a batch
     * of hundreds of outcomes sends nothing back but `{}`.
     */
    settleDeletes: statement(
      'settle_deletes',
      `
WITH input AS MATERIALIZED (
  SELECT *, $1::text AS owner FROM unnest($2::text[], $3::bigint[]) AS i(slug, version)
), removed AS (
  DELETE FROM ${T} AS t
  USING input AS i
  WHERE ${FENCED('t', 'i')}
  RETURNING t.slug
)
SELECT ARRAY(
  SELECT i.slug FROM input AS i WHERE NOT EXISTS (SELECT 1 FROM removed AS r WHERE r.slug = i.slug)
) AS rejected`,
    ),

    /** $1 owner, $2 slugs, $3 versions, $4 channel. Gives leases back; the tasks are claimable at once. */
    release: statement(
      'release',
      `
WITH input AS MATERIALIZED (
  SELECT *, $1::text AS owner FROM unnest($2::text[], $3::bigint[]) AS i(slug, version)
), released AS (
  UPDATE ${T} AS t
  SET locked_by = NULL, locked_until = NULL, updated_at = now()
  FROM input AS i
  WHERE ${FENCED('t', 'i')}
  RETURNING t.run_at, t.paused, t.failed
), notified AS (
  SELECT pg_notify($4, ${notifyMs('min(r.run_at)')})
  FROM released AS r
  WHERE NOT r.paused AND NOT r.failed AND $4::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT (SELECT count(*) FROM released) AS released, (SELECT count(*) FROM notified) AS notified`,
    ),

    // ---------------------------------------------------------------- reading tasks
    /** $1 slug. */
    get: statement('get', `SELECT ${taskColumns('t')} FROM ${T} AS t WHERE t.slug = $1`),

    /** Every slug, in slug order. */
    getSlugs: statement('get_slugs', `SELECT t.slug FROM ${T} AS t ORDER BY t.slug`),

    /**
     * $1 cursor (slugs after it; '' for the first page), $2 state or NULL, $3 limit. One page in slug
     * order: a primary key range scan that stops when the page is full. States, first match wins:
     * running (live lease), paused, failed, scheduled.
     */
    list: statement(
      'list',
      `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.slug > $1 AND ${stateFilter('$2', 't')}
ORDER BY t.slug
LIMIT $3`,
    ),

    /**
     * As `list`, for one kind ($4): the same primary key range scan, skipping other kinds (there is
     * deliberately no (kind, slug) index, see the migration): quick for a common kind; for a rare kind
     * in a large table a page may read much of the table.
     */
    listByKind: statement(
      'list_by_kind',
      `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.kind = $4 AND t.slug > $1 AND ${stateFilter('$2', 't')}
ORDER BY t.slug
LIMIT $3`,
    ),

    // ---------------------------------------------------------------- control
    /**
     * $1 slug; per field a "set" flag and a value: $2/$3 run_at, $4/$5 schedule, $6/$7/$8 payload
     * (json text, bytes), $9/$10 paused, $11/$12 failed, $13/$14 retry, $15/$16 result; $17 version
     * increment (0 or 1), $18 if idle, $19 channel.
     *
     * The row is locked first, then updated only if it is idle or $18 is false: the check and the
     * write cannot be split by a claim. Returns one row with status 'updated' or 'running' (the task
     * as it is), or none when the slug does not exist.
     */
    update: statement(
      'update',
      `
WITH target AS (
  SELECT t.slug, coalesce(t.locked_until > now(), false) AS running
  FROM ${T} AS t
  WHERE t.slug = $1
  FOR UPDATE
), updated AS (
  UPDATE ${T} AS t
  SET run_at = CASE WHEN $2::boolean THEN $3::timestamptz ELSE t.run_at END,
      schedule = CASE WHEN $4::boolean THEN $5::jsonb ELSE t.schedule END,
      payload = CASE WHEN $6::boolean THEN $7::json ELSE t.payload END,
      payload_bytes = CASE WHEN $6::boolean THEN $8::bytea ELSE t.payload_bytes END,
      paused = CASE WHEN $9::boolean THEN $10::boolean ELSE t.paused END,
      failed = CASE WHEN $11::boolean THEN $12::boolean ELSE t.failed END,
      retry = CASE WHEN $13::boolean THEN $14::integer ELSE t.retry END,
      result = CASE WHEN $15::boolean THEN $16::text ELSE t.result END,
      version = t.version + $17::integer,
      updated_at = now()
  FROM target
  WHERE t.slug = target.slug AND NOT ($18::boolean AND target.running)
  RETURNING ${taskColumns('t')}, ${DUE('t')} AS due
), notified AS (
  SELECT pg_notify($19, ${notifyMs('u.due')}) FROM updated AS u WHERE NOT u.paused AND NOT u.failed AND $19::text IS NOT NULL
)
SELECT 'updated' AS status, ${fields('u')}, (SELECT count(*) FROM notified) AS notified
FROM updated AS u
UNION ALL
SELECT 'running' AS status, ${taskColumns('t')}, 0 AS notified
FROM ${T} AS t
JOIN target ON target.slug = t.slug
WHERE $18::boolean AND target.running AND NOT EXISTS (SELECT 1 FROM updated)`,
    ),

    /**
     * $1 kind, $2 paused, $3 channel. Does not bump versions. The kind's tasks are found through the
     * three partial indexes (waiting, held, parked), which between them hold every task. Notifies the
     * earliest resumed task.
     */
    setPausedByKind: statement(
      'set_paused_by_kind',
      `
WITH targets AS (
  SELECT t.slug FROM ${T} AS t WHERE t.kind = $1 AND ${WAITING('t')}
  UNION ALL
  SELECT t.slug FROM ${T} AS t WHERE t.kind = $1 AND ${HELD('t')}
  UNION ALL
  SELECT t.slug FROM ${T} AS t WHERE t.kind = $1 AND ${PARKED('t')}
), changed AS (
  UPDATE ${T} AS t
  SET paused = $2::boolean, updated_at = now()
  WHERE t.slug = ANY (ARRAY(SELECT slug FROM targets)) AND t.kind = $1 AND t.paused <> $2::boolean
  RETURNING ${DUE('t')} AS due, t.paused, t.failed
), notified AS (
  SELECT pg_notify($3, ${notifyMs('min(c.due)')})
  FROM changed AS c
  WHERE NOT c.paused AND NOT c.failed AND $3::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT (SELECT count(*) FROM changed)::integer AS changed, (SELECT count(*) FROM notified) AS notified`,
    ),

    /** $1 slug. Whatever the lease. */
    delete: statement('delete', `DELETE FROM ${T} AS t WHERE t.slug = $1 RETURNING t.slug`),

    /** Every task and every history record. */
    clear: statement(
      'clear',
      `
WITH tasks AS (DELETE FROM ${T} RETURNING 1), history AS (DELETE FROM ${H} RETURNING 1)
SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM history) AS history`,
    ),

    // ---------------------------------------------------------------- history
    /** One array per field: $1 slugs … $9 instance ids. */
    appendHistory: statement(
      'append_history',
      `
INSERT INTO ${H} (slug, kind, scheduled_at, started_at, finished_at, outcome, error, attempt, instance_id)
SELECT *
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::text[],
            $7::text[], $8::integer[], $9::text[])`,
    ),

    /** $1 slug, $2 limit. Newest first: a range scan of (slug, finished_at DESC, id DESC). */
    getHistory: statement(
      'get_history',
      `
SELECT h.slug, h.kind, ${ms('h.scheduled_at')} AS scheduled_at_ms, ${ms('h.started_at')} AS started_at_ms,
       ${ms('h.finished_at')} AS finished_at_ms, h.outcome, h.error, h.attempt, h.instance_id
FROM ${H} AS h
WHERE h.slug = $1
ORDER BY h.finished_at DESC, h.id DESC
LIMIT $2`,
    ),

    /**
     * $1 before, $2 batch size. Deletes up to $2 records that finished before $1; the store repeats
     * it until a batch comes back short, so that pruning never holds many row locks at once.
     */
    pruneHistory: statement(
      'prune_history',
      `
WITH doomed AS (
  SELECT h.id FROM ${H} AS h WHERE h.finished_at < $1::timestamptz ORDER BY h.finished_at LIMIT $2
), deleted AS (
  DELETE FROM ${H} AS h USING doomed AS d WHERE h.id = d.id RETURNING 1
)
SELECT count(*)::integer AS deleted FROM deleted`,
    ),

    // ---------------------------------------------------------------- migrations
    begin: statement('begin', 'BEGIN'),
    commit: statement('commit', 'COMMIT'),
    rollback: statement('rollback', 'ROLLBACK'),
    /** $1 lock key. Serialises migrations of this table across instances until the transaction ends. */
    migrationLock: statement(
      'migration_lock',
      `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}, $1::integer)`,
    ),
    /** $1 schema name. */
    schemaExists: statement('schema_exists', `SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1`),
    createSchema: statement('create_schema', `CREATE SCHEMA IF NOT EXISTS ${n.schemaSql}`),
    /**
     * The shipped SQL files' form of `schemaExists` + `createSchema` (CREATE SCHEMA IF NOT EXISTS
     * needs CREATE on the database even when the schema exists).
     */
    createSchemaIfMissing: statement(
      'create_schema_if_missing',
      `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '${n.schema}') THEN
    CREATE SCHEMA ${n.schemaSql};
  END IF;
END $$`,
    ),
    createMigrationsTable: statement(
      'create_migrations_table',
      `
CREATE TABLE IF NOT EXISTS ${n.migrations} (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
    ),
    appliedMigrations: statement(
      'applied_migrations',
      `SELECT version FROM ${n.migrations} ORDER BY version`,
    ),
    /** $1 version, $2 name. */
    recordMigration: statement(
      'record_migration',
      `INSERT INTO ${n.migrations} (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING`,
    ),

    // ---------------------------------------------------------------- wake-ups
    listen: statement('listen', `LISTEN ${n.channelSql}`),
    unlisten: statement('unlisten', `UNLISTEN ${n.channelSql}`),

    ...buildConsoleQueries(n, statement),
  };
}

/** The first half of the migration advisory lock: a constant of this library ("ndsm"). */
export const MIGRATION_LOCK_CLASS = 0x6e64736d;

/**
 * The state filter of `list` (`param` NULL means any state). A task is in exactly one state, the
 * first that applies: running (under a live lease), paused, failed, scheduled.
 */
function stateFilter(param: string, a: string): string {
  const running = `coalesce(${a}.locked_until > now(), false)`;
  return `(CASE ${param}::text
    WHEN 'running' THEN ${running}
    WHEN 'paused' THEN ${a}.paused AND NOT ${running}
    WHEN 'failed' THEN ${a}.failed AND NOT ${a}.paused AND NOT ${running}
    WHEN 'scheduled' THEN NOT ${a}.paused AND NOT ${a}.failed AND NOT ${running}
    ELSE true END)`;
}

// ================================================================== the console's reads, instances

/**
 * The statements of the console's reads (listing by slug prefix or in a sparse state, counts per
 * kind, run stats) and of the instance registry.
 */
function buildConsoleQueries(n: PostgresNames, statement: (name: string, text: string) => SqlStatement) {
  const T = n.tasks;
  const H = n.history;
  const I = n.instances;
  const live = (a: string): string => `coalesce(${a}.locked_until > now(), false)`;
  const instanceColumns = `i.instance_id, i.hostname, i.pid, ${ms('i.started_at')} AS started_at_ms,
       ${ms('i.last_seen_at')} AS last_seen_at_ms, to_json(i.kinds)::text AS kinds_json, i.in_flight,
       i.health::text AS health_json`;
  /** now() minus $n milliseconds. */
  const ago = (param: string): string => `now() - ${param}::float8 * interval '1 millisecond'`;
  /** A page by slug prefix: from $5 on, and before the upper bound $6 when there is one. */
  const listByPrefix = (name: string, bounded: boolean): SqlStatement =>
    statement(
      name,
      `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.slug > $1 AND t.slug >= $5${bounded ? ' AND t.slug < $6' : ''}
  AND ($4::text IS NULL OR t.kind = $4) AND ${stateFilter('$2', 't')}
ORDER BY t.slug
LIMIT $3`,
    );

  return {
    // ---------------------------------------------------------------- listing
    /**
     * $1 cursor ('' for the first page), $2 state or NULL, $3 limit, $4 kind or NULL, $5 slug prefix,
     * $6 the first text after every text with that prefix (`prefixUpperBound`). A primary key range
     * scan of [max(cursor, prefix), upper bound): it ends with the prefix's slugs whether or not the
     * page is full.
     */
    listPrefix: listByPrefix('list_prefix', true),

    /**
     * As `listPrefix` for the one kind of prefix that has no upper bound (made only of U+10FFFF): every
     * text from the prefix on starts with it.
     */
    listPrefixOpen: listByPrefix('list_prefix_open', false),

    /**
     * $1 cursor, $2 state ('running', 'paused' or 'failed'), $3 limit, $4 kind or NULL, $5 slug prefix
     * ('' for any). The tasks in these states are few (paused, failed, held by a lease): they are read
     * from the parked and the leased indexes and sorted, instead of walking the primary key past every
     * scheduled task to fill a page. A task paused or failed while held is in the parked index.
     */
    listSparse: statement(
      'list_sparse',
      `
SELECT ${taskColumns('t')}
FROM (
  SELECT * FROM ${T} AS p
  WHERE ${PARKED('p')} AND p.slug > $1 AND ($4::text IS NULL OR p.kind = $4)
  UNION ALL
  SELECT * FROM ${T} AS h
  WHERE ${HELD('h')} AND $2::text = 'running' AND h.slug > $1 AND ($4::text IS NULL OR h.kind = $4)
) AS t
WHERE starts_with(t.slug, $5) AND ${stateFilter('$2', 't')}
ORDER BY t.slug
LIMIT $3`,
    ),

    // ---------------------------------------------------------------- counting
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
  SELECT t.kind, count(*) FILTER (WHERE NOT ${live('t')}), count(*) FILTER (WHERE ${live('t')}), 0, 0
  FROM ${T} AS t
  WHERE ${HELD('t')}
  GROUP BY t.kind
  UNION ALL
  SELECT t.kind,
         0,
         count(*) FILTER (WHERE ${live('t')}),
         count(*) FILTER (WHERE t.failed AND NOT t.paused AND NOT ${live('t')}),
         count(*) FILTER (WHERE t.paused AND NOT ${live('t')})
  FROM ${T} AS t
  WHERE ${PARKED('t')}
  GROUP BY t.kind
) AS c
GROUP BY c.kind
ORDER BY c.kind`,
    ),

    /** $1 since. Per kind, the executions that finished since then, by outcome: a range scan of the finish-time index. */
    countHistory: statement(
      'count_history',
      `
SELECT h.kind,
       count(*) FILTER (WHERE h.outcome = 'succeeded')::integer AS succeeded,
       count(*) FILTER (WHERE h.outcome = 'failed')::integer AS failed,
       count(*) FILTER (WHERE h.outcome NOT IN ('succeeded', 'failed'))::integer AS lease_lost
FROM ${H} AS h
WHERE h.finished_at >= $1::timestamptz
GROUP BY h.kind
ORDER BY h.kind`,
    ),

    // ---------------------------------------------------------------- the instance registry
    /** $1 id, $2 hostname, $3 pid, $4 started at, $5 kinds, $6 in flight, $7 health json. last_seen_at is now(). */
    recordInstance: statement(
      'record_instance',
      `
INSERT INTO ${I} AS i (instance_id, hostname, pid, started_at, last_seen_at, kinds, in_flight, health)
VALUES ($1, $2, $3::integer, $4::timestamptz, now(), $5::text[], $6::integer, $7::jsonb)
ON CONFLICT (instance_id) DO UPDATE SET
  hostname = EXCLUDED.hostname,
  pid = EXCLUDED.pid,
  started_at = EXCLUDED.started_at,
  last_seen_at = EXCLUDED.last_seen_at,
  kinds = EXCLUDED.kinds,
  in_flight = EXCLUDED.in_flight,
  health = EXCLUDED.health`,
    ),

    /** $1 id. */
    removeInstance: statement(
      'remove_instance',
      `DELETE FROM ${I} AS i WHERE i.instance_id = $1 RETURNING i.instance_id`,
    ),

    /** $1 max age in ms. The instances heard from since now() minus that. */
    listInstances: statement(
      'list_instances',
      `
SELECT ${instanceColumns}
FROM ${I} AS i
WHERE i.last_seen_at >= ${ago('$1')}
ORDER BY i.instance_id`,
    ),

    /** $1 max age in ms. Deletes the records of instances not heard from since now() minus that. */
    pruneInstances: statement(
      'prune_instances',
      `
WITH deleted AS (DELETE FROM ${I} AS i WHERE i.last_seen_at < ${ago('$1')} RETURNING 1)
SELECT count(*)::integer AS deleted FROM deleted`,
    ),
  };
}
