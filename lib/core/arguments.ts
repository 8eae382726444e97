/**
 * Every check of what a caller hands the scheduler, in one module at the boundary (as pg-boss keeps
 * its `attorney`): the scheduler API calls these before it touches the store, and the stores call the
 * same ones for their own entry points, so that a bad value gets the same typed error on every store
 * and nothing is written. The limits are ones that every store can hold (see docs/distributed.md).
 */
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { InvalidSlugError } from './errors/invalid-slug.error.js';
import { InvalidTraceContextError } from './errors/invalid-trace-context.error.js';
import { messages } from './errors/messages.js';
import type { JobState, TraceContext } from './job.js';
import type { InstanceInfo } from './store/job-store.js';

const reasons = messages.argumentReasons;

/** The longest slug, in UTF-8 bytes (PostgreSQL's index entries and Firestore's ids both hold it). */
export const MAX_SLUG_BYTES = 1024;

/** The longest kind, in UTF-8 bytes. */
export const MAX_KIND_BYTES = 256;

/** The earliest time a task may be due: every store holds 0001-01-01T00:00:00Z. */
export const MIN_DATE = new Date('0001-01-01T00:00:00.000Z');

/** The latest time a task may be due: Firestore holds no later time, PostgreSQL's driver no year 10000. */
export const MAX_DATE = new Date('9999-12-31T23:59:59.999Z');

const MIN_DATE_MS = MIN_DATE.getTime();
const MAX_DATE_MS = MAX_DATE.getTime();

/** The largest page `listJobs` returns (and `JobStore.list` accepts). */
export const MAX_LIST_LIMIT = 1000;

/** The most history records one `getJobHistory` call returns. */
export const MAX_HISTORY_LIMIT = 1000;

/**
 * The largest trace context stored with a task, in UTF-8 bytes of its keys and values: room for a
 * `traceparent` (55) and a `tracestate` of the W3C's recommended 512 characters, with margin.
 */
export const MAX_TRACE_CONTEXT_BYTES = 1024;

/** The most entries of a stored trace context (`traceparent` and `tracestate` are two). */
export const MAX_TRACE_CONTEXT_ENTRIES = 8;

/** A trace context key: a header name as propagators write it. */
const TRACE_CONTEXT_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** The lowest task priority. */
export const MIN_PRIORITY = -1000;

/**
 * The highest task priority. Priorities are whole numbers from {@link MIN_PRIORITY} to this, higher
 * claimed first: a bounded range keeps the levels few, and a claim visits each level that has tasks
 * (see docs/time.md, Priorities).
 */
export const MAX_PRIORITY = 1000;

/** The longest concurrency key, in UTF-8 bytes (see `registerJob`'s `concurrencyKey`). */
export const MAX_CONCURRENCY_KEY_BYTES = 256;

/** The states `listJobs({ state })` filters on. */
export const JOB_STATES: readonly JobState[] = ['scheduled', 'running', 'failed', 'paused'];

/** The reason a slug or kind is refused, or null when it is a valid key of at most `maxBytes`. */
function keyProblem(value: unknown, maxBytes: number): string | null {
  if (typeof value !== 'string' || value.length === 0) return reasons.notString();
  if (!value.isWellFormed()) return reasons.notWellFormed();
  if (value.includes('\u0000')) return reasons.hasNul();
  // A UTF-8 character is at most 3 bytes per UTF-16 code unit: most keys need no count.
  if (value.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) return reasons.tooLong(bytes, maxBytes);
  }
  return null;
}

/** @throws InvalidSlugError for anything but a well-formed string of 1 to {@link MAX_SLUG_BYTES} bytes without NUL. */
export function assertSlug(slug: unknown): asserts slug is string {
  const problem = keyProblem(slug, MAX_SLUG_BYTES);
  if (problem !== null) throw new InvalidSlugError(slug, problem);
}

/** @throws InvalidArgumentError for anything but a well-formed string of 1 to {@link MAX_KIND_BYTES} bytes without NUL. */
export function assertKind(kind: unknown, name = 'kind'): asserts kind is string {
  const problem = keyProblem(kind, MAX_KIND_BYTES);
  if (problem !== null) throw new InvalidArgumentError(name, problem);
}

/** @throws InvalidArgumentError for anything but a valid Date from {@link MIN_DATE} to {@link MAX_DATE}. */
export function assertDate(date: unknown, name: string): asserts date is Date {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(name, reasons.notDate());
  if (ms < MIN_DATE_MS || ms > MAX_DATE_MS) {
    throw new InvalidArgumentError(
      name,
      reasons.dateOutOfRange(MIN_DATE.toISOString(), MAX_DATE.toISOString()),
    );
  }
}

/** Whether a Date is one every store can hold (the non-throwing form of {@link assertDate}). */
export function isStorableDate(date: unknown): boolean {
  if (!(date instanceof Date)) return false;
  const ms = date.getTime();
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

/** @throws InvalidArgumentError unless `value` is `undefined` or a boolean. */
export function assertOptionalBoolean(value: unknown, name: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw new InvalidArgumentError(name, reasons.notBoolean());
}

/** @throws InvalidArgumentError unless `value` is a whole number from `min` to `max`. */
export function assertWholeNumber(
  value: unknown,
  name: string,
  min: number,
  max: number,
): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(name, reasons.wholeNumberIn(min, max));
  }
}

/** @throws InvalidArgumentError unless `priority` is `undefined` or a whole number from {@link MIN_PRIORITY} to {@link MAX_PRIORITY}. */
export function assertPriority(priority: unknown, name = 'priority'): asserts priority is number | undefined {
  if (priority !== undefined) assertWholeNumber(priority, name, MIN_PRIORITY, MAX_PRIORITY);
}

/**
 * A concurrency key as stored with a task: `undefined`, `null` (none) or a well-formed string of 1
 * to {@link MAX_CONCURRENCY_KEY_BYTES} UTF-8 bytes without NUL.
 * @throws InvalidArgumentError
 */
export function assertConcurrencyKey(key: unknown): asserts key is string | null | undefined {
  if (key === undefined || key === null) return;
  const problem = keyProblem(key, MAX_CONCURRENCY_KEY_BYTES);
  if (problem !== null) throw new InvalidArgumentError('concurrencyKey', problem);
}

/** @throws InvalidArgumentError for a page size outside 1..{@link MAX_LIST_LIMIT}. */
export function assertListLimit(limit: unknown): asserts limit is number {
  assertWholeNumber(limit, 'limit', 1, MAX_LIST_LIMIT);
}

/** @throws InvalidArgumentError for a state filter that is not a {@link JobState}. */
export function assertJobState(state: unknown): asserts state is JobState | undefined {
  if (state !== undefined && !JOB_STATES.includes(state as JobState)) {
    throw new InvalidArgumentError('state', reasons.oneOf(JOB_STATES));
  }
}

/** @throws InvalidArgumentError for a cursor that is not a string (or null). */
export function assertCursor(cursor: unknown): asserts cursor is string | null | undefined {
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') {
    throw new InvalidArgumentError('cursor', 'must be the nextCursor of the previous page, or null');
  }
}

/**
 * A trace context to store with a task: `undefined`, `null`, or a plain object of at most
 * {@link MAX_TRACE_CONTEXT_ENTRIES} string values (keys of header-name characters), at most
 * {@link MAX_TRACE_CONTEXT_BYTES} UTF-8 bytes in all, with no NUL (PostgreSQL's jsonb refuses it).
 * @throws InvalidTraceContextError
 */
export function assertTraceContext(value: unknown): asserts value is TraceContext | null | undefined {
  if (value === undefined || value === null) return;
  const reasons = messages.traceContextReasons;
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new InvalidTraceContextError(reasons.notMap());
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new InvalidTraceContextError(reasons.notMap());
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TRACE_CONTEXT_ENTRIES) {
    throw new InvalidTraceContextError(reasons.tooManyEntries(entries.length, MAX_TRACE_CONTEXT_ENTRIES));
  }
  let bytes = 0;
  for (const [key, entry] of entries) {
    if (!TRACE_CONTEXT_KEY.test(key)) throw new InvalidTraceContextError(reasons.badKey(key));
    if (typeof entry !== 'string' || !entry.isWellFormed() || entry.includes('\u0000')) {
      throw new InvalidTraceContextError(reasons.badValue(key));
    }
    bytes += key.length + Buffer.byteLength(entry, 'utf8');
  }
  if (bytes > MAX_TRACE_CONTEXT_BYTES) {
    throw new InvalidTraceContextError(reasons.tooLarge(bytes, MAX_TRACE_CONTEXT_BYTES));
  }
}

/** A lease must have a length. */
export function assertLeaseMs(leaseMs: unknown): asserts leaseMs is number {
  if (typeof leaseMs !== 'number' || !(leaseMs > 0) || !Number.isFinite(leaseMs)) {
    throw new InvalidArgumentError('leaseMs', 'must be greater than 0');
  }
}

/**
 * A slug prefix is text a slug may start with. A NUL is refused on every store, because PostgreSQL
 * text cannot hold one (so no slug contains it).
 */
export function assertSlugPrefix(prefix: unknown): asserts prefix is string | undefined {
  if (prefix === undefined) return;
  if (typeof prefix !== 'string') throw new InvalidArgumentError('slugPrefix', 'must be a string');
  if (prefix.includes('\u0000')) {
    throw new InvalidArgumentError('slugPrefix', 'contains a NUL character (U+0000), which no slug holds');
  }
}

/** A window of time before the store's now, in ms. */
export function assertMaxAgeMs(maxAgeMs: unknown): asserts maxAgeMs is number {
  if (!(typeof maxAgeMs === 'number' && Number.isFinite(maxAgeMs) && maxAgeMs >= 0)) {
    throw new InvalidArgumentError('maxAgeMs', 'must be a number of milliseconds >= 0');
  }
}

/** A point in time given by the caller (any valid Date every store can hold). */
export function assertDateArgument(name: string, value: unknown): asserts value is Date {
  assertDate(value, name);
}

/** What `recordInstance` stores: checked before anything is written, the same on every store. */
export function assertInstanceInfo(info: InstanceInfo): void {
  if (info === null || typeof info !== 'object')
    throw new InvalidArgumentError('instance', 'must be an object');
  assertInstanceId(info.instanceId);
  if (typeof info.hostname !== 'string') throw new InvalidArgumentError('hostname', 'must be a string');
  if (!Number.isInteger(info.pid)) throw new InvalidArgumentError('pid', 'must be an integer');
  assertDateArgument('startedAt', info.startedAt);
  if (!Array.isArray(info.kinds) || !info.kinds.every((kind) => typeof kind === 'string')) {
    throw new InvalidArgumentError('kinds', 'must be an array of strings');
  }
  if (!(Number.isInteger(info.inFlight) && info.inFlight >= 0)) {
    throw new InvalidArgumentError('inFlight', 'must be an integer >= 0');
  }
  if (info.health === null || typeof info.health !== 'object') {
    throw new InvalidArgumentError('health', 'must be an object');
  }
}

/** An instance id is a key like a kind: well-formed, no NUL, at most MAX_KIND_BYTES UTF-8 bytes. */
export function assertInstanceId(instanceId: unknown): asserts instanceId is string {
  assertKind(instanceId, 'instanceId');
}
