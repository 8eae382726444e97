/**
 * The rules every store follows, written once: a store calls these instead of restating them, so
 * that a new store writes only its storage code and the contract suite has one meaning to check.
 */
import { randomUUID } from 'node:crypto';

import {
  assertConcurrencyKey,
  assertDate,
  assertPriority,
  assertKind,
  assertOptionalBoolean,
  assertSlug,
  assertTraceContext,
} from '../arguments.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { StoreTask, TraceContext } from '../job.js';
import { assertStorablePayload, clonePayload } from '../payload.js';
import { assertScheduleSpec } from '../schedule/schedule-spec.js';
import type { ScheduleSpec } from '../schedule/trigger.js';
import type { NewTask, TaskOutcome, TaskPatch } from './job-store.js';

/**
 * A fresh incarnation id: every `create` (and every `create` with `replace`) gives the task a new
 * one, and nothing else changes it. A run belongs to the incarnation it claimed, so that the run of
 * a task that was replaced (or deleted and created again) meanwhile is never taken for a run of
 * the new one.
 */
export function newIncarnation(): string {
  const id = randomUUID();
  // Node builds the text as a rope of short strings, about 490 bytes that every stored task would
  // keep (the memory store's 100,000 tasks: 50 MB, and old-space collections in the middle of a
  // burst, bench W5). Reading a character makes V8 flatten it into one 36-byte string.
  void id.charCodeAt(0);
  return id;
}

/** What {@link freshState} gives: the fields a create or a replace writes, as the caller's copies. */
export type FreshState = Pick<
  StoreTask,
  'payload' | 'priority' | 'incarnation' | 'retry' | 'result' | 'failed' | 'paused' | 'schedule' | 'lockedBy'
> & {
  /** `null` where `StoreTask` leaves the field out. */
  concurrencyKey: string | null;
  traceContext: TraceContext | null;
  lockedUntil: null;
};

/**
 * What a `create` (or a replace) writes besides the slug, the kind, the times and the version: a new
 * incarnation, the run state reset, no lease, and copies of what the caller gave (a store never
 * shares a mutable value with its caller).
 */
export function freshState(task: NewTask): FreshState {
  return {
    payload: clonePayload(task.payload),
    priority: task.priority ?? 0,
    concurrencyKey: task.concurrencyKey ?? null,
    incarnation: newIncarnation(),
    retry: 0,
    result: null,
    failed: false,
    paused: task.paused ?? false,
    schedule: copySchedule(task.schedule),
    traceContext: copyTraceContext(task.traceContext),
    lockedBy: null,
    lockedUntil: null,
  };
}

/** Checks what `JobStore.create` is given, before anything is written. */
export function assertNewTask(task: NewTask): void {
  if (task === null || typeof task !== 'object') throw new InvalidArgumentError('task', 'must be an object');
  assertSlug(task.slug);
  assertKind(task.kind);
  assertDate(task.runAt, 'runAt');
  assertStorablePayload(task.payload);
  if (task.schedule !== null) assertScheduleSpec(task.schedule);
  assertOptionalBoolean(task.paused, 'paused');
  assertTraceContext(task.traceContext);
  assertPriority(task.priority);
  assertConcurrencyKey(task.concurrencyKey);
}

/**
 * The trace context a store keeps for a new task: a copy of the given map, or `null` for none
 * (absent, `null` or empty). A store returns a task's context as `traceContext` only when it has
 * one, so that tasks without one look as they did before trace contexts existed.
 */
export function copyTraceContext(traceContext: TraceContext | null | undefined): TraceContext | null {
  if (traceContext === null || traceContext === undefined) return null;
  const entries = Object.entries(traceContext);
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

/**
 * Reads back a stored trace context leniently: a task must stay runnable even when the stored
 * context was written by hand or by another tool, so anything that is not a valid context reads as
 * none (it is telemetry, not part of the task's work).
 */
export function readTraceContext(stored: unknown): TraceContext | null {
  if (stored === null || stored === undefined) return null;
  try {
    assertTraceContext(stored);
  } catch {
    return null;
  }
  return copyTraceContext(stored as TraceContext);
}

/** `createMany` takes each slug once: a slug given twice is refused before anything is written. */
export function assertDistinctSlugs(tasks: readonly NewTask[]): void {
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task?.slug))
      throw new InvalidArgumentError('tasks', `the slug ${JSON.stringify(task.slug)} is given twice`);
    seen.add(task?.slug);
  }
}

/** Checks what `JobStore.update` is given, before anything is written. */
export function assertTaskPatch(patch: TaskPatch): void {
  if (patch === null || typeof patch !== 'object')
    throw new InvalidArgumentError('patch', 'must be an object');
  if (patch.runAt !== undefined) assertDate(patch.runAt, 'runAt');
  if (patch.schedule !== undefined && patch.schedule !== null) assertScheduleSpec(patch.schedule);
  if (patch.payload !== undefined) assertStorablePayload(patch.payload);
  assertOptionalBoolean(patch.paused, 'paused');
  assertOptionalBoolean(patch.failed, 'failed');
  if (patch.retry !== undefined && !(Number.isInteger(patch.retry) && patch.retry >= 0)) {
    throw new InvalidArgumentError('retry', 'must be a whole number >= 0');
  }
  if (patch.result !== undefined && patch.result !== null && typeof patch.result !== 'string') {
    throw new InvalidArgumentError('result', 'must be a string or null');
  }
}

/**
 * Whether a patch redefines the task, and so bumps its version: any change but `paused` alone (a
 * pause must not fence out a run in flight; a new time, schedule or payload must).
 */
export function patchRedefines(patch: TaskPatch): boolean {
  return (Object.keys(patch) as (keyof TaskPatch)[]).some(
    (key) => key !== 'paused' && patch[key] !== undefined,
  );
}

/** Whether a lease ending at `lockedUntil` (ms since epoch, or a Date) is still live at `now`. */
export function leaseIsLive(lockedUntil: Date | number | null, now: Date | number): boolean {
  if (lockedUntil === null) return false;
  const end = typeof lockedUntil === 'number' ? lockedUntil : lockedUntil.getTime();
  return end > (typeof now === 'number' ? now : now.getTime());
}

/** Whether `owner` holds the task at that version: the fencing condition of every write about a claim. */
export function holds(
  task: Pick<StoreTask, 'lockedBy' | 'version'>,
  owner: string,
  version: number,
): boolean {
  return task.lockedBy === owner && task.version === version;
}

/**
 * Slug order: Unicode code point order, which is also UTF-8 byte order and PostgreSQL's "C"
 * collation. (`<` compares UTF-16 code units, which puts U+10000 and above before U+E000-U+FFFF.)
 */
export function compareSlugs(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) come after U+E000-U+FFFF in code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A copy of a stored schedule, so that a store never shares one with its caller; fields that are
 * `undefined` are left out (Firestore refuses them, and a spec never needs one).
 */
export function copySchedule(schedule: ScheduleSpec | null): ScheduleSpec | null {
  if (schedule === null) return null;
  return Object.fromEntries(
    Object.entries(schedule).filter(([, value]) => value !== undefined),
  ) as unknown as ScheduleSpec;
}

/** Checks one outcome of `JobStore.settle`, before anything of its batch is written. */
export function assertOutcome(outcome: TaskOutcome): void {
  if (outcome === null || typeof outcome !== 'object' || typeof outcome.slug !== 'string') {
    throw new InvalidArgumentError('outcome', 'must be { type, slug, version, … }');
  }
  if (outcome.type === 'delete') return;
  if (outcome.type !== 'reschedule') {
    throw new InvalidArgumentError('outcome.type', "must be 'delete' or 'reschedule'");
  }
  assertDate(outcome.runAt, 'outcome.runAt');
  if (!(Number.isInteger(outcome.retry) && outcome.retry >= 0)) {
    throw new InvalidArgumentError('outcome.retry', 'must be a whole number >= 0');
  }
  if (outcome.result !== null && typeof outcome.result !== 'string') {
    throw new InvalidArgumentError('outcome.result', 'must be a string or null');
  }
  assertOptionalBoolean(outcome.failed, 'outcome.failed');
  if (outcome.payload !== undefined) assertStorablePayload(outcome.payload);
}
