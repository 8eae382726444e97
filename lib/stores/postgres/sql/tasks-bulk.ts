/**
 * Writing many tasks at once (`createMany`): one statement per chunk, the chunk bound as ONE JSON
 * document (`json_to_recordset`) rather than as a dozen parallel arrays. The document is built by
 * `JSON.stringify` in one native pass, where arrays are serialised element by element in
 * JavaScript and parsed one array at a time by the server; that was half of a bulk call's time.
 * Times travel as epoch milliseconds (exact, and no `toISOString` per task).
 *
 * Three statements, one per conflict policy, so that the common one does least:
 * - `error`: a plain INSERT. An existing slug is a unique violation that aborts the call, which is
 *   what `error` asks for; no speculative insertion, nothing returned but a count.
 * - `skip`: `ON CONFLICT DO NOTHING`; the slugs inserted are returned only when some were not.
 * - `replace`: `ON CONFLICT DO UPDATE` as `replace` does; the slugs that existed are returned.
 * Each makes at most one NOTIFY, for the chunk's earliest claimable time (known to the caller; a
 * skipped task can make it early, which only wakes a claimer once more).
 */
import type { NewTask } from '../../../core/store/job-store.js';
import { copyTraceContext } from '../../../core/store/store-rules.js';
import type { PostgresNames } from '../names.js';
import { epochMsParam, setPayloadFields } from '../row-mapping.js';
import { REPLACE_EXISTING } from './fragments.js';
import { statement, type Placeholders } from './statement.js';

/** What it takes to write a chunk of tasks. */
export interface WriteTasksArgs {
  tasks: readonly NewTask[];
  /** The call's incarnation base (`newIncarnation()`, once per call): see {@link bulkIncarnation}. */
  incarnationBase: string;
  /** The index in the call of the chunk's first task. */
  first: number;
  /** The NOTIFY channel, or null when the store does not notify. */
  channel: string | null;
}

/**
 * The incarnation of the task at `index` of a bulk call: the call's random base and the index, so
 * that each task of each call has its own without a random UUID per task (generating them was a
 * fifth of a bulk call's client time, and sending them a third of its document). The statements
 * below compose the same text from the base and the row's ordinality.
 */
export function bulkIncarnation(base: string, index: number): string {
  return `${base}.${index}`;
}

/** What every bulk statement answers. */
export interface WrittenRow {
  /** `skip`: the slugs inserted, when not all were; otherwise null. */
  created: string[] | null;
  /** `replace`: the slugs that existed and were replaced; otherwise null. */
  replaced: string[] | null;
}

const PARAMETERS = ['rows', 'count', 'incarnationBase', 'first', 'channel', 'notifyMs'] as const;
type Parameter = (typeof PARAMETERS)[number];

/**
 * One task as a record of the document: short keys, and a key only when its value is not the
 * column's default. The payload is its JSON text (a string), so that its exact text is stored.
 */
interface TaskRecord {
  s: string;
  k: string;
  p?: string;
  b?: string;
  r: number;
  sc?: unknown;
  pa?: true;
  tc?: unknown;
  pr?: number;
  ck?: string;
}

/** The chunk as one document (its tasks checked by `createMany` first). */
function bind({ tasks, incarnationBase, first, channel }: WriteTasksArgs) {
  let earliest = Infinity;
  const records = tasks.map((task): TaskRecord => {
    const runAt = epochMsParam('runAt', task.runAt);
    const record: TaskRecord = { s: task.slug, k: task.kind, r: runAt };
    // Checked by createMany (assertNewTask) before any chunk is bound: encoded, not checked again.
    setPayloadFields(record, task.payload);
    if (task.schedule) record.sc = task.schedule;
    if (task.paused) record.pa = true;
    else if (runAt < earliest) earliest = runAt;
    const traceContext = copyTraceContext(task.traceContext);
    if (traceContext !== null) record.tc = traceContext;
    if (task.priority) record.pr = task.priority;
    if (task.concurrencyKey !== undefined && task.concurrencyKey !== null) record.ck = task.concurrencyKey;
    return record;
  });
  return {
    rows: JSON.stringify(records),
    count: tasks.length,
    incarnationBase,
    first,
    channel,
    notifyMs: channel !== null && earliest !== Infinity ? String(earliest) : null,
  };
}

/** The INSERT of a chunk, from its document. */
const insert = (T: string, p: Placeholders<Parameter>): string => `
  INSERT INTO ${T} AS t (slug, kind, payload, payload_bytes, run_at, schedule, paused, incarnation, trace_context, priority, concurrency_key)
  SELECT i.s, i.k, i.p::json, decode(i.b, 'base64'), 'epoch'::timestamptz + i.r * interval '1 millisecond', i.sc,
         coalesce(i.pa, false), ${p.incarnationBase}::text || '.' || (${p.first}::int + i.n - 1)::text,
         i.tc, coalesce(i.pr, 0), i.ck
  FROM ROWS FROM (json_to_recordset(${p.rows}::json)
    AS (s text, k text, p text, b text, r bigint, sc jsonb, pa boolean, tc jsonb, pr smallint, ck text))
    WITH ORDINALITY AS i(s, k, p, b, r, sc, pa, tc, pr, ck, n)`;

/**
 * The NOTIFY of the chunk (when asked) and the answer. `given` echoes the count so that every
 * statement reads its `$count` (only `skip` uses it; PostgreSQL must know each parameter's type).
 */
const tail = (p: Placeholders<Parameter>, answer: { created: string; replaced: string }): string => `
), notified AS (
  SELECT pg_notify(${p.channel}::text, ${p.notifyMs}::text)
  WHERE ${p.channel}::text IS NOT NULL AND ${p.notifyMs}::text IS NOT NULL
)
SELECT ${answer.created} AS created,
       ${answer.replaced} AS replaced,
       (SELECT count(*) FROM notified) AS notified,
       ${p.count}::int AS given`;

export function taskBulkStatements(n: PostgresNames) {
  const T = n.tasks;
  return {
    /** Inserts the whole chunk, or fails on the first slug that exists (`onConflict` error). */
    createManyStrict: statement(
      'create_many_strict',
      PARAMETERS,
      (p) => `
WITH written AS (${insert(T, p)}
  RETURNING 1${tail(p, { created: 'NULL::text[]', replaced: 'NULL::text[]' })}`,
      bind,
    ),

    /** Inserts the chunk's new slugs and leaves the existing ones (`onConflict` skip). */
    createManySkip: statement(
      'create_many_skip',
      PARAMETERS,
      (p) => `
WITH written AS (${insert(T, p)}
  ON CONFLICT (slug) DO NOTHING
  RETURNING t.slug${tail(p, {
    created: `CASE WHEN (SELECT count(*) FROM written) < ${p.count}::int THEN ARRAY(SELECT slug FROM written) END`,
    replaced: 'NULL::text[]',
  })}`,
      bind,
    ),

    /** Inserts the chunk, replacing existing slugs as `replace` does (`onConflict` replace). */
    createManyReplace: statement(
      'create_many_replace',
      PARAMETERS,
      (p) => `
WITH written AS (${insert(T, p)}
  ${REPLACE_EXISTING}
  RETURNING t.slug, (t.xmax = 0) AS created${tail(p, {
    created: 'NULL::text[]',
    replaced: 'ARRAY(SELECT slug FROM written WHERE NOT created)',
  })}`,
      bind,
    ),

    /** After a unique violation of `createManyStrict`: the first of these slugs that exists, in their order. */
    firstExisting: statement(
      'first_existing',
      ['slugs'],
      (p) => `
SELECT i.slug FROM unnest(${p.slugs}::text[]) WITH ORDINALITY AS i(slug, n)
WHERE EXISTS (SELECT 1 FROM ${T} AS t WHERE t.slug = i.slug)
ORDER BY i.n
LIMIT 1`,
      (a: { slugs: readonly string[] }) => ({ slugs: [...a.slugs] }),
    ),
  };
}

/** Whether a statement failed on a unique index (`23505`): of the tasks table, only its slug. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
