import { createHash } from 'node:crypto';

import type { StoreTask } from '../../core/job.js';
import type { Payload } from '../../core/payload.js';
import type { ScheduleSpec } from '../../core/schedule/trigger.js';

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
  /** The slug, made well-formed UTF-16 (see `slugUtf16`): what `list` orders and pages by. */
  slug: string;
  /** The slug's exact UTF-16 code units, present only when the slug holds a lone surrogate. */
  slugUtf16?: Buffer;
  kind: string;
  /** JSON text for a JSON payload, bytes for a Buffer. */
  payload: string | Buffer;
  runAt: Date;
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
}

/** Field names the store queries on, in one place so that queries and indexes agree. */
export const TASK_FIELDS = {
  slug: 'slug',
  kind: 'kind',
  availableAt: 'availableAt',
  leased: 'leased',
  paused: 'paused',
  failed: 'failed',
} as const;

/** Firestore's limit on a document id, in UTF-8 bytes. */
const MAX_ID_BYTES = 1500;
/** Encoded ids start with `~`, so a slug starting with `~` is always encoded, and ids never collide. */
const UTF8_PREFIX = '~b.';
const UTF16_PREFIX = '~u.';
const HASH_PREFIX = '~h.';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Whether a string is well-formed UTF-16 (no lone surrogate), i.e. survives a UTF-8 round trip. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * The string with each lone surrogate replaced by U+FFFD. Firestore strings travel as UTF-8, and
 * the service refuses a request holding a lone surrogate; this is what the store writes for the
 * `slug` field (the exact slug goes in `slugUtf16`) and for free text (results, errors), where a
 * message cut in the middle of a surrogate pair must not make the write fail.
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

/**
 * The document id of a slug. A slug that Firestore accepts as an id is used as is (readable in the
 * console); one that it forbids (containing `/`, equal to `.` or `..`, of the form `__…__`, longer
 * than 1500 UTF-8 bytes, not well-formed UTF-16) or that starts with `~` is encoded:
 * `~b.` + base64url of its UTF-8 bytes, `~u.` + base64url of its UTF-16 code units when it holds a
 * lone surrogate, or, when that is still too long, `~h.` + a SHA-256 of it (the document keeps the
 * slug itself, so that one is decoded from the document).
 */
export function encodeDocumentId(slug: string): string {
  const wellFormed = isWellFormed(slug);
  if (wellFormed && isPlainId(slug)) return slug;
  const encoded = wellFormed
    ? UTF8_PREFIX + Buffer.from(slug, 'utf8').toString('base64url')
    : UTF16_PREFIX + Buffer.from(slug, 'utf16le').toString('base64url');
  if (encoded.length <= MAX_ID_BYTES) return encoded;
  return HASH_PREFIX + createHash('sha256').update(Buffer.from(slug, 'utf16le')).digest('base64url');
}

/** The slug of a document id, or null for a hashed id (whose slug only the document holds). */
export function decodeDocumentId(id: string): string | null {
  if (id.startsWith(UTF8_PREFIX))
    return Buffer.from(id.slice(UTF8_PREFIX.length), 'base64url').toString('utf8');
  if (id.startsWith(UTF16_PREFIX)) {
    return Buffer.from(id.slice(UTF16_PREFIX.length), 'base64url').toString('utf16le');
  }
  if (id.startsWith(HASH_PREFIX)) return null;
  return id;
}

function isPlainId(slug: string): boolean {
  return (
    slug.length > 0 &&
    !slug.startsWith('~') &&
    !slug.includes('/') &&
    slug !== '.' &&
    slug !== '..' &&
    !/^__.*__$/s.test(slug) &&
    Buffer.byteLength(slug, 'utf8') <= MAX_ID_BYTES
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

/** Whether `now` is within a live lease of the task. */
export function hasLiveLease(task: Pick<StoreTask, 'lockedUntil'>, now: Date): boolean {
  return task.lockedUntil !== null && task.lockedUntil.getTime() > now.getTime();
}

/** Whether the task may be claimed at `now` (the re-check a claim makes inside its transaction). */
export function isClaimable(task: StoreTask, now: Date): boolean {
  return !task.paused && !task.failed && task.runAt.getTime() <= now.getTime() && !hasLiveLease(task, now);
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
    slug: toWellFormed(task.slug),
    kind: task.kind,
    payload: encodePayload(task.payload),
    schedule: copySchedule(task.schedule),
    createdAt: task.createdAt,
    ...stateFields(task),
  };
  if (!isWellFormed(task.slug)) doc.slugUtf16 = Buffer.from(task.slug, 'utf16le');
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
  const slugUtf16 = data.slugUtf16;
  return {
    slug:
      slugUtf16 instanceof Uint8Array ? Buffer.from(slugUtf16).toString('utf16le') : readString(data, 'slug'),
    kind: readString(data, 'kind'),
    payload: decodePayload(data.payload),
    runAt: readDate(data, 'runAt'),
    version: readNumber(data, 'version'),
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
}

function copySchedule(schedule: ScheduleSpec | null): ScheduleSpec | null {
  if (schedule === null) return null;
  // Firestore refuses `undefined` values; a spec never needs one.
  return Object.fromEntries(
    Object.entries(schedule).filter(([, v]) => v !== undefined),
  ) as unknown as ScheduleSpec;
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
