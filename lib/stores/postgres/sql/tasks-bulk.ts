/**
 * Writing many tasks at once (`createMany`): one statement per chunk, the tasks as parallel arrays
 * (`unnest`), and one NOTIFY per chunk (for its earliest claimable task), inside the writing
 * transaction. `ON CONFLICT` makes it exact under races: of several writers of one slug, exactly one
 * inserts it, and each learns which slugs it inserted (or replaced).
 */
import type { NewTask } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { encodePayload, encodeTraceContext, timestampParam } from '../row-mapping.js';
import { notifyMs, REPLACE_EXISTING } from './fragments.js';
import { statement, type Placeholders } from './statement.js';

/** What it takes to write a chunk of tasks. */
export interface WriteTasksArgs {
  tasks: readonly NewTask[];
  /** One per task (`newIncarnation()`). */
  incarnations: readonly string[];
  /** The NOTIFY channel, or null when the store does not notify. */
  channel: string | null;
}

const PARAMETERS = [
  'slugs',
  'kinds',
  'payloadJsons',
  'payloadBytes',
  'runAts',
  'schedules',
  'pauseds',
  'incarnations',
  'traceContexts',
  'priorities',
  'concurrencyKeys',
  'channel',
] as const;

/** The arrays of a chunk; each payload is checked and encoded first, before anything is written. */
function bind({ tasks, incarnations, channel }: WriteTasksArgs) {
  const payloads = tasks.map((task) => encodePayload(task.payload));
  return {
    slugs: tasks.map((task) => task.slug),
    kinds: tasks.map((task) => task.kind),
    payloadJsons: payloads.map((payload) => payload.json),
    payloadBytes: payloads.map((payload) => payload.bytes),
    runAts: tasks.map((task) => timestampParam('runAt', task.runAt)),
    schedules: tasks.map((task) => (task.schedule ? JSON.stringify(task.schedule) : null)),
    pauseds: tasks.map((task) => task.paused ?? false),
    incarnations,
    traceContexts: tasks.map((task) => encodeTraceContext(task.traceContext)),
    priorities: tasks.map((task) => task.priority ?? 0),
    concurrencyKeys: tasks.map((task) => task.concurrencyKey ?? null),
    channel,
  };
}

/** The INSERT of a chunk, from its arrays. */
const insert = (T: string, p: Placeholders<(typeof PARAMETERS)[number]>): string => `
  INSERT INTO ${T} AS t (slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation, trace_context, priority, concurrency_key)
  SELECT i.slug, i.kind, i.payload::json, i.payload_bytes, i.run_at, i.schedule::jsonb, i.paused, i.incarnation, i.trace_context::jsonb, i.priority, i.concurrency_key
  FROM unnest(${p.slugs}::text[], ${p.kinds}::text[], ${p.payloadJsons}::text[], ${p.payloadBytes}::bytea[],
              ${p.runAts}::timestamptz[], ${p.schedules}::text[], ${p.pauseds}::boolean[], ${p.incarnations}::text[],
              ${p.traceContexts}::text[], ${p.priorities}::smallint[], ${p.concurrencyKeys}::text[])
    AS i(slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation, trace_context, priority, concurrency_key)`;

/** One NOTIFY for the chunk's earliest claimable task, and the slugs written (`created`: inserted). */
const tail = (p: Placeholders<(typeof PARAMETERS)[number]>): string => `
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('min(w.run_at)')})
  FROM written AS w
  WHERE NOT w.paused AND ${p.channel}::text IS NOT NULL
  HAVING count(*) > 0
)
SELECT ARRAY(SELECT slug FROM written WHERE created) AS created,
       ARRAY(SELECT slug FROM written WHERE NOT created) AS replaced,
       (SELECT count(*) FROM notified) AS notified`;

export function taskBulkStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /** Inserts the chunk's new slugs and leaves the existing ones (`onConflict` error or skip). */
    createManyNew: statement(
      'create_many_new',
      PARAMETERS,
      (p) => `
WITH written AS (${insert(T, p)}
  ON CONFLICT (slug) DO NOTHING
  RETURNING t.slug, t.run_at, t.paused, true AS created${tail(p)}`,
      bind,
    ),

    /** Inserts the chunk, replacing existing slugs as `replace` does (`onConflict` replace). */
    createManyReplace: statement(
      'create_many_replace',
      PARAMETERS,
      (p) => `
WITH written AS (${insert(T, p)}
  ${REPLACE_EXISTING}
  RETURNING t.slug, t.run_at, t.paused, (t.xmax = 0) AS created${tail(p)}`,
      bind,
    ),
  };
}
