import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import type { StoreTask, TraceContext } from '../../core/job.js';
import { assertStorablePayload, type Payload } from '../../core/payload.js';
import type { ScheduleSpec } from '../../core/schedule/trigger.js';
import type {
  ExecutionOutcome,
  HistoryRecord,
  KindCounts,
  KindRunStats,
} from '../../core/store/job-store.js';
import { copyTraceContext, readTraceContext } from '../../core/store/store-rules.js';

/** A task row as the statements of `queries.ts` return it. */
export interface TaskRow {
  slug: string;
  kind: string;
  payload_json: string | null;
  payload_bytes: Buffer | null;
  run_at_ms: number | string;
  version: number | string | bigint;
  /** NULL for rows written before migration 0002. */
  incarnation: string | null;
  retry: number | string;
  result: string | null;
  failed: boolean;
  paused: boolean;
  schedule_json: string | null;
  locked_by: string | null;
  locked_until_ms: number | string | null;
  created_at_ms: number | string;
  updated_at_ms: number | string;
  /** NULL for a task without one (and for rows written before migration 0004). */
  trace_context_json: string | null;
  priority: number | string;
  /** NULL for a task without one. */
  concurrency_key: string | null;
}

/** A history row as `getHistory` returns it. */
export interface HistoryRow {
  slug: string;
  kind: string;
  scheduled_at_ms: number | string;
  started_at_ms: number | string;
  finished_at_ms: number | string;
  outcome: string;
  error: string | null;
  attempt: number | string;
  instance_id: string;
}

/** A payload as the two payload columns hold it: exactly one of them is set. */
export interface EncodedPayload {
  /** JSON text for the `json` column (its text is kept verbatim, so key order and `\u0000` survive). */
  json: string | null;
  bytes: Buffer | null;
}

/**
 * Checks a payload and encodes it for the payload columns, before anything is written.
 *
 * @throws InvalidPayloadError for a payload JSON cannot represent exactly.
 */
export function encodePayload(payload: unknown): EncodedPayload {
  assertStorablePayload(payload);
  if (Buffer.isBuffer(payload)) return { json: null, bytes: payload };
  return { json: JSON.stringify(payload), bytes: null };
}

/**
 * A payload already checked (`assertNewTask`, `assertOutcome`) as the fields of a record of a JSON
 * document that a statement reads with `json_to_recordset`: `p`, its JSON text (kept verbatim), or
 * `b`, its bytes in base64 (`decode(b, 'base64')`).
 */
export function setPayloadFields(record: { p?: string; b?: string }, payload: Payload): void {
  if (Buffer.isBuffer(payload)) record.b = payload.toString('base64');
  else record.p = JSON.stringify(payload);
}

function decodePayload(row: TaskRow): Payload {
  if (row.payload_bytes !== null) return Buffer.from(row.payload_bytes);
  return JSON.parse(row.payload_json ?? 'null') as Payload;
}

const toDate = (value: number | string): Date => new Date(Number(value));

/** The task a row describes. */
export function rowToTask(row: TaskRow): StoreTask {
  const task: StoreTask = {
    slug: row.slug,
    kind: row.kind,
    payload: decodePayload(row),
    runAt: toDate(row.run_at_ms),
    priority: Number(row.priority),
    version: Number(row.version),
    incarnation: row.incarnation ?? '',
    retry: Number(row.retry),
    result: row.result,
    failed: row.failed,
    paused: row.paused,
    schedule: row.schedule_json === null ? null : (JSON.parse(row.schedule_json) as ScheduleSpec),
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until_ms === null ? null : toDate(row.locked_until_ms),
    createdAt: toDate(row.created_at_ms),
    updatedAt: toDate(row.updated_at_ms),
  };
  if (row.trace_context_json !== null) {
    const traceContext = readTraceContext(parseJson(row.trace_context_json));
    if (traceContext !== null) task.traceContext = traceContext;
  }
  if (row.concurrency_key !== null) task.concurrencyKey = row.concurrency_key;
  return task;
}

/** A trace context encoded for its `jsonb` column: JSON text, or null for none. */
export function encodeTraceContext(traceContext: TraceContext | null | undefined): string | null {
  const copy = copyTraceContext(traceContext);
  return copy === null ? null : JSON.stringify(copy);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The history record a row describes. */
export function rowToHistory(row: HistoryRow): HistoryRecord {
  return {
    slug: row.slug,
    kind: row.kind,
    scheduledAt: toDate(row.scheduled_at_ms),
    startedAt: toDate(row.started_at_ms),
    finishedAt: toDate(row.finished_at_ms),
    outcome: row.outcome as ExecutionOutcome,
    error: row.error,
    attempt: Number(row.attempt),
    instanceId: row.instance_id,
  };
}

/** A row of `countByKind` (counts may come back as text). */
export interface KindCountsRow {
  kind: string;
  scheduled: number | string;
  running: number | string;
  failed: number | string;
  paused: number | string;
}

export function rowToKindCounts(row: KindCountsRow): KindCounts {
  return {
    kind: row.kind,
    scheduled: Number(row.scheduled),
    running: Number(row.running),
    failed: Number(row.failed),
    paused: Number(row.paused),
  };
}

/** A row of `countHistory`. */
export interface RunStatsRow {
  kind: string;
  succeeded: number | string;
  failed: number | string;
  lease_lost: number | string;
}

export function rowToRunStats(row: RunStatsRow): KindRunStats {
  return {
    kind: row.kind,
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    leaseLost: Number(row.lease_lost),
  };
}

/** A `Date` as a timestamptz parameter: ISO text, whatever the driver's date settings. */
export function timestampParam(name: string, date: Date): string {
  epochMsParam(name, date);
  return date.toISOString();
}

/** A Date as epoch milliseconds, for statements that take times as numbers (a bulk write's document). */
export function epochMsParam(name: string, date: Date): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(name, 'is not a valid Date');
  return ms;
}

/**
 * PostgreSQL `text` cannot hold U+0000. A result or error message is free text written by the
 * engine after a run: one NUL in it must not make the whole batch of outcomes fail, so it is replaced.
 */
export function storableText(text: string | null): string | null {
  // Well-formed too: a lone surrogate would make the JSON document it travels in unreadable.
  return text === null ? null : text.replaceAll('\u0000', '\uFFFD').toWellFormed();
}
