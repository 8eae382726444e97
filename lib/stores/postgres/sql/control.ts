/**
 * Changing tasks from outside the run loop: `update` (one task, optionally only while idle),
 * pausing or resuming a kind, deleting one task, clearing everything.
 */
import type { TaskPatch } from '../../../core/store/job-store.js';
import { patchRedefines } from '../../../core/store/store-rules.js';
import type { PostgresNames } from '../names.js';
import { encodePayload, storableText, timestampParam } from '../row-mapping.js';
import { DUE, fields, HELD, LIVE, notifyMs, PARKED, taskColumns, WAITING } from './fragments.js';
import { statement } from './statement.js';

/** What it takes to update a task. */
export interface UpdateArgs {
  slug: string;
  patch: TaskPatch;
  /** Leave a task under a live lease as it is (and say so). */
  ifIdle: boolean;
  channel: string | null;
}

/**
 * The values of `update`: per field of the patch a "set" flag and the value. The version is bumped
 * unless the patch only pauses or resumes.
 */
function updateValues({ slug, patch, ifIdle, channel }: UpdateArgs) {
  const has = (key: keyof TaskPatch): boolean => patch[key] !== undefined;
  const payload = has('payload') ? encodePayload(patch.payload) : null;
  return {
    slug,
    setRunAt: has('runAt'),
    runAt: has('runAt') ? timestampParam('runAt', patch.runAt as Date) : null,
    setSchedule: has('schedule'),
    schedule: patch.schedule ? JSON.stringify(patch.schedule) : null,
    setPayload: payload !== null,
    payloadJson: payload?.json ?? null,
    payloadBytes: payload?.bytes ?? null,
    setPaused: has('paused'),
    paused: patch.paused ?? null,
    setFailed: has('failed'),
    failed: patch.failed ?? null,
    setRetry: has('retry'),
    retry: patch.retry ?? null,
    setResult: has('result'),
    result: storableText(patch.result ?? null),
    versionIncrement: patchRedefines(patch) ? 1 : 0,
    ifIdle,
    channel,
  };
}

export function controlStatements(n: PostgresNames) {
  const T = n.tasks;
  const H = n.history;
  return {
    /**
     * The row is locked first, then updated only if it is idle or `ifIdle` is false: the check and
     * the write cannot be split by a claim. Returns one row with status 'updated' or 'running' (the
     * task as it is), or none when the slug does not exist.
     */
    update: statement(
      'update',
      [
        'slug',
        'setRunAt',
        'runAt',
        'setSchedule',
        'schedule',
        'setPayload',
        'payloadJson',
        'payloadBytes',
        'setPaused',
        'paused',
        'setFailed',
        'failed',
        'setRetry',
        'retry',
        'setResult',
        'result',
        'versionIncrement',
        'ifIdle',
        'channel',
      ],
      (p) => `
WITH target AS (
  SELECT t.slug, ${LIVE('t')} AS running
  FROM ${T} AS t
  WHERE t.slug = ${p.slug}
  FOR UPDATE
), updated AS (
  UPDATE ${T} AS t
  SET run_at = CASE WHEN ${p.setRunAt}::boolean THEN ${p.runAt}::timestamptz ELSE t.run_at END,
      schedule = CASE WHEN ${p.setSchedule}::boolean THEN ${p.schedule}::jsonb ELSE t.schedule END,
      payload = CASE WHEN ${p.setPayload}::boolean THEN ${p.payloadJson}::json ELSE t.payload END,
      payload_bytes = CASE WHEN ${p.setPayload}::boolean THEN ${p.payloadBytes}::bytea ELSE t.payload_bytes END,
      paused = CASE WHEN ${p.setPaused}::boolean THEN ${p.paused}::boolean ELSE t.paused END,
      failed = CASE WHEN ${p.setFailed}::boolean THEN ${p.failed}::boolean ELSE t.failed END,
      retry = CASE WHEN ${p.setRetry}::boolean THEN ${p.retry}::integer ELSE t.retry END,
      result = CASE WHEN ${p.setResult}::boolean THEN ${p.result}::text ELSE t.result END,
      version = t.version + ${p.versionIncrement}::integer,
      updated_at = now()
  FROM target
  WHERE t.slug = target.slug AND NOT (${p.ifIdle}::boolean AND target.running)
  RETURNING ${taskColumns('t')}, ${DUE('t')} AS due
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('u.due')}) FROM updated AS u WHERE NOT u.paused AND NOT u.failed AND ${p.channel}::text IS NOT NULL
)
SELECT 'updated' AS status, ${fields('u')}, (SELECT count(*) FROM notified) AS notified
FROM updated AS u
UNION ALL
SELECT 'running' AS status, ${taskColumns('t')}, 0 AS notified
FROM ${T} AS t
JOIN target ON target.slug = t.slug
WHERE ${p.ifIdle}::boolean AND target.running AND NOT EXISTS (SELECT 1 FROM updated)`,
      updateValues,
    ),

    /**
     * Does not bump versions. The kind's tasks are found through the three partial indexes (waiting,
     * held, parked), which between them hold every task. Notifies the earliest resumed task.
     */
    setPausedByKind: statement(
      'set_paused_by_kind',
      ['kind', 'paused', 'channel'],
      (p) => `
WITH targets AS (
  SELECT t.slug FROM ${T} AS t WHERE t.kind = ${p.kind} AND ${WAITING('t')}
  UNION ALL
  SELECT t.slug FROM ${T} AS t WHERE t.kind = ${p.kind} AND ${HELD('t')}
  UNION ALL
  SELECT t.slug FROM ${T} AS t WHERE t.kind = ${p.kind} AND ${PARKED('t')}
), changed AS (
  UPDATE ${T} AS t
  SET paused = ${p.paused}::boolean, updated_at = now()
  WHERE t.slug = ANY (ARRAY(SELECT slug FROM targets)) AND t.kind = ${p.kind} AND t.paused <> ${p.paused}::boolean
  RETURNING ${DUE('t')} AS due, t.paused, t.failed
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('min(c.due)')})
  FROM changed AS c
  WHERE NOT c.paused AND NOT c.failed AND ${p.channel}::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT (SELECT count(*) FROM changed)::integer AS changed, (SELECT count(*) FROM notified) AS notified`,
      (a: { kind: string; paused: boolean; channel: string | null }) => a,
    ),

    /** Whatever the lease. */
    delete: statement(
      'delete',
      ['slug'],
      (p) => `DELETE FROM ${T} AS t WHERE t.slug = ${p.slug} RETURNING t.slug`,
      (a: { slug: string }) => a,
    ),

    /** Every task and every history record, and the starts counted by rate limits. */
    clear: statement(
      'clear',
      `
WITH tasks AS (DELETE FROM ${T} RETURNING 1), history AS (DELETE FROM ${H} RETURNING 1),
     starts AS (DELETE FROM ${n.starts} RETURNING 1)
SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM history) AS history,
       (SELECT count(*) FROM starts) AS starts`,
    ),
  };
}
