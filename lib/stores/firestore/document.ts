import type { StoreTask, TraceContext } from '../../core/job.js';
import type { Payload } from '../../core/payload.js';
import type { ScheduleSpec } from '../../core/schedule/trigger.js';
import {
  copySchedule,
  copyTraceContext,
  leaseIsLive,
  readTraceContext,
} from '../../core/store/store-rules.js';

/**
 * One task as a Firestore document (the document id is {@link encodeDocumentId} of the slug), in
 * the form the store writes it: times are `Date`s, which the client stores as Timestamps (and
 * which, unlike the client's `Timestamp` class, do not tie this module to one copy of the driver).
 *
 * Besides the task's own fields it holds two that exist only for queries:
 * - `availableAt`: when the task can next be claimed. `runAt` while idle; `max(runAt, lockedUntil)`
 *   while a lease is recorded (live or expired); `null` while paused or failed. `nextRun` is the
 *   smallest `availableAt`, and a claim looks for `availableAt <= now`: one ordered range query each.
 * - `leased`: whether a lease is recorded (`lockedBy` set). Claims query idle tasks and tasks with
 *   an expired lease separately, so that both come out in `runAt` order.
 */
export interface TaskDocument {
  /** The slug: what `list` orders and pages by. */
  slug: string;
  kind: string;
  /** JSON text for a JSON payload, bytes for a Buffer. */
  payload: string | Buffer;
  /** Which creation of the slug this is (absent in documents written before incarnations). */
  incarnation: string;
  runAt: Date;
  /** Higher is claimed first among due tasks (absent in documents written before priorities: 0). */
  priority: number;
  /** The key of the kind's per-key limit; absent when the task has none. */
  concurrencyKey?: string;
  availableAt: Date | null;
  leased: boolean;
  version: number;
  retry: number;
  result: string | null;
  failed: boolean;
  paused: boolean;
  schedule: ScheduleSpec | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The trace context of the scheduling call (a map of strings); absent when there is none. */
  traceContext?: TraceContext;
}

/** Field names the store queries on, in one place so that queries and indexes agree. */
export const TASK_FIELDS = {
  slug: 'slug',
  kind: 'kind',
  priority: 'priority',
  availableAt: 'availableAt',
  leased: 'leased',
  paused: 'paused',
  failed: 'failed',
} as const;

/** Encoded ids start with `~`, so a slug starting with `~` is always encoded, and ids never collide. */
const UTF8_PREFIX = '~b.';

/**
 * Free text (results, errors) as Firestore can store it: strings travel as UTF-8 and the service
 * refuses a lone surrogate, so each one (a message cut in the middle of a surrogate pair) becomes
 * U+FFFD rather than failing the write.
 */
export function toWellFormed(text: string): string {
  return text.toWellFormed();
}

/**
 * The document id of a slug. A slug that Firestore accepts as an id is used as is (readable in the
 * console); one that it forbids (containing `/`, equal to `.` or `..`, of the form `__…__`) or that
 * starts with `~` is encoded as `~b.` + base64url of its UTF-8 bytes. Slugs are well-formed and at
 * most `MAX_SLUG_BYTES` (1024) UTF-8 bytes, so an encoded id (at most 1369 bytes) always fits
 * Firestore's 1500.
 */
export function encodeDocumentId(slug: string): string {
  if (isPlainId(slug)) return slug;
  return UTF8_PREFIX + Buffer.from(slug, 'utf8').toString('base64url');
}

/** The slug of a document id. */
export function decodeDocumentId(id: string): string {
  if (id.startsWith(UTF8_PREFIX))
    return Buffer.from(id.slice(UTF8_PREFIX.length), 'base64url').toString('utf8');
  return id;
}

function isPlainId(slug: string): boolean {
  return (
    slug.length > 0 &&
    !slug.startsWith('~') &&
    !slug.includes('/') &&
    slug !== '.' &&
    slug !== '..' &&
    !/^__.*__$/s.test(slug)
  );
}

/** The task's `availableAt` (see {@link TaskDocument}). */
export function availableAtOf(
  task: Pick<StoreTask, 'runAt' | 'lockedBy' | 'lockedUntil' | 'paused' | 'failed'>,
): Date | null {
  if (task.paused || task.failed) return null;
  if (task.lockedBy !== null && task.lockedUntil !== null && task.lockedUntil > task.runAt)
    return task.lockedUntil;
  return task.runAt;
}

/** Whether the task may be claimed at `now` (the re-check a claim makes inside its transaction). */
export function isClaimable(task: StoreTask, now: Date): boolean {
  return (
    !task.paused &&
    !task.failed &&
    task.runAt.getTime() <= now.getTime() &&
    !leaseIsLive(task.lockedUntil, now)
  );
}

/** The stored form of a payload: JSON text (exact for every JSON value, key order included) or bytes. */
export function encodePayload(payload: Payload): string | Buffer {
  return Buffer.isBuffer(payload) ? Buffer.from(payload) : JSON.stringify(payload);
}

/** A payload back from its stored form. */
export function decodePayload(stored: unknown): Payload {
  if (typeof stored === 'string') return JSON.parse(stored) as Payload;
  if (stored instanceof Uint8Array) return Buffer.from(stored);
  throw new TypeError('a task document holds a payload that is neither JSON text nor bytes');
}

/** The document that stores a task. */
export function toDocument(task: StoreTask): TaskDocument {
  const doc: TaskDocument = {
    slug: task.slug,
    kind: task.kind,
    payload: encodePayload(task.payload),
    incarnation: task.incarnation,
    priority: task.priority,
    schedule: copySchedule(task.schedule),
    createdAt: task.createdAt,
    ...stateFields(task),
  };
  if (task.concurrencyKey !== undefined) doc.concurrencyKey = task.concurrencyKey;
  const traceContext = copyTraceContext(task.traceContext);
  if (traceContext !== null) doc.traceContext = traceContext;
  return doc;
}

/** The fields of a task document that change with its lease and state. */
type StateFields = Pick<
  TaskDocument,
  | 'runAt'
  | 'availableAt'
  | 'leased'
  | 'version'
  | 'retry'
  | 'result'
  | 'failed'
  | 'paused'
  | 'lockedBy'
  | 'lockedUntil'
  | 'updatedAt'
>;

/**
 * The fields a change of lease or state rewrites, derived from the task as it will be; the query
 * fields are recomputed every time so that they never drift from the fields they summarise.
 */
export function stateFields(task: StoreTask): StateFields {
  return {
    runAt: task.runAt,
    availableAt: availableAtOf(task),
    leased: task.lockedBy !== null,
    version: task.version,
    retry: task.retry,
    result: task.result === null ? null : toWellFormed(task.result),
    failed: task.failed,
    paused: task.paused,
    lockedBy: task.lockedBy,
    lockedUntil: task.lockedUntil,
    updatedAt: task.updatedAt,
  };
}

/** A task from its document. @throws TypeError when the document is not a task document. */
export function fromDocument(data: Record<string, unknown>): StoreTask {
  const task: StoreTask = {
    slug: readString(data, 'slug'),
    kind: readString(data, 'kind'),
    payload: decodePayload(data.payload),
    runAt: readDate(data, 'runAt'),
    // Documents written before priorities existed read as priority 0.
    priority: readNullable(data, 'priority', readNumber) ?? 0,
    version: readNumber(data, 'version'),
    // Documents written before incarnations existed read as the incarnation ''.
    incarnation: readNullable(data, 'incarnation', readString) ?? '',
    retry: readNumber(data, 'retry'),
    result: readNullable(data, 'result', readString),
    failed: readBoolean(data, 'failed'),
    paused: readBoolean(data, 'paused'),
    schedule:
      data.schedule === null || data.schedule === undefined
        ? null
        : copySchedule(data.schedule as ScheduleSpec),
    lockedBy: readNullable(data, 'lockedBy', readString),
    lockedUntil: readNullable(data, 'lockedUntil', readDate),
    createdAt: readDate(data, 'createdAt'),
    updatedAt: readDate(data, 'updatedAt'),
  };
  const traceContext = readTraceContext(data.traceContext);
  if (traceContext !== null) task.traceContext = traceContext;
  const concurrencyKey = readNullable(data, 'concurrencyKey', readString);
  if (concurrencyKey !== null) task.concurrencyKey = concurrencyKey;
  return task;
}

function invalid(field: string, expected: string): TypeError {
  return new TypeError(`a task document's "${field}" is not ${expected}`);
}

/** Reads a string field. @throws TypeError when it is not one. */
export function readString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') throw invalid(field, 'a string');
  return value;
}

/** Reads a number field. @throws TypeError when it is not one. */
export function readNumber(data: Record<string, unknown>, field: string): number {
  const value = data[field];
  if (typeof value !== 'number') throw invalid(field, 'a number');
  return value;
}

/** Reads a boolean field. @throws TypeError when it is not one. */
export function readBoolean(data: Record<string, unknown>, field: string): boolean {
  const value = data[field];
  if (typeof value !== 'boolean') throw invalid(field, 'a boolean');
  return value;
}

/** Reads a Timestamp field as a Date. @throws TypeError when it is not one. */
export function readDate(data: Record<string, unknown>, field: string): Date {
  const value = data[field] as { toDate?: unknown } | null | undefined;
  // Duck-typed: the Timestamp may come from another copy of the driver than the one this module sees.
  if (typeof value?.toDate !== 'function') throw invalid(field, 'a timestamp');
  return (value as { toDate(): Date }).toDate();
}

/** Reads a field that may be null (or absent). */
export function readNullable<T>(
  data: Record<string, unknown>,
  field: string,
  read: (data: Record<string, unknown>, field: string) => T,
): T | null {
  return data[field] === null || data[field] === undefined ? null : read(data, field);
}
