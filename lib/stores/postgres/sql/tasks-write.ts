/**
 * Writing a task: `create` and `replace`. Each notifies (unless paused) inside the writing
 * transaction, so a rolled-back create wakes nobody; the channel is NULL with `notify: false`.
 */
import type { NewTask } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { encodePayload, encodeTraceContext, timestampParam } from '../row-mapping.js';
import { fields, notifyMs, taskColumns, REPLACE_EXISTING } from './fragments.js';
import { statement, type Placeholders } from './statement.js';

/** What it takes to write a task. */
export interface WriteTaskArgs {
  task: NewTask;
  /** The NOTIFY channel, or null when the store does not notify. */
  channel: string | null;
  /** Which creation of the slug this is (`newIncarnation()`). */
  incarnation: string;
}

const PARAMETERS = [
  'slug',
  'kind',
  'payloadJson',
  'payloadBytes',
  'runAt',
  'schedule',
  'paused',
  'channel',
  'incarnation',
  'traceContext',
  'priority',
  'concurrencyKey',
] as const;

/** The values of both statements; the payload is checked and encoded first, before anything is written. */
function bind({ task, channel, incarnation }: WriteTaskArgs) {
  const payload = encodePayload(task.payload);
  return {
    slug: task.slug,
    kind: task.kind,
    payloadJson: payload.json,
    payloadBytes: payload.bytes,
    runAt: timestampParam('runAt', task.runAt),
    schedule: task.schedule ? JSON.stringify(task.schedule) : null,
    paused: task.paused ?? false,
    channel,
    incarnation,
    traceContext: encodeTraceContext(task.traceContext),
    priority: task.priority ?? 0,
    concurrencyKey: task.concurrencyKey ?? null,
  };
}

/** The INSERT both statements start with. */
const insert = (T: string, p: Placeholders<(typeof PARAMETERS)[number]>): string => `
  INSERT INTO ${T} AS t (slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation, trace_context, priority, concurrency_key)
  VALUES (${p.slug}, ${p.kind}, ${p.payloadJson}::json, ${p.payloadBytes}::bytea, ${p.runAt}::timestamptz, ${p.schedule}::jsonb, ${p.paused}::boolean, ${p.incarnation}::text, ${p.traceContext}::jsonb, ${p.priority}::smallint, ${p.concurrencyKey}::text)`;

export function taskWriteStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /** Returns no row when the slug exists. */
    create: statement(
      'create',
      PARAMETERS,
      (p) => `
WITH inserted AS (${insert(T, p)}
  ON CONFLICT (slug) DO NOTHING
  RETURNING ${taskColumns('t')}, t.run_at AS due
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('i.due')}) FROM inserted i WHERE NOT i.paused AND ${p.channel}::text IS NOT NULL
)
SELECT ${fields('i')}, (SELECT count(*) FROM notified) AS notified FROM inserted i`,
      bind,
    ),

    /** As `create`, but overwrites an existing task: new version, lease cleared, run state reset. */
    replace: statement(
      'replace',
      PARAMETERS,
      (p) => `
WITH upserted AS (${insert(T, p)}
  ${REPLACE_EXISTING}
  RETURNING ${taskColumns('t')}, t.run_at AS due
), notified AS (
  SELECT pg_notify(${p.channel}, ${notifyMs('u.due')}) FROM upserted u WHERE NOT u.paused AND ${p.channel}::text IS NOT NULL
)
SELECT ${fields('u')}, (SELECT count(*) FROM notified) AS notified FROM upserted u`,
      bind,
    ),
  };
}
