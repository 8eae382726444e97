import { stateOf } from '../core/job-state.js';
import type { JobState, ScheduledJob, StoreTask } from '../core/job.js';
import type { JsonValue, Payload } from '../core/payload.js';
import type { ScheduleSpec } from '../core/schedule/trigger.js';
import type { HistoryRecord, InstanceRecord } from '../core/store/job-store.js';
import { scheduleInWords } from './schedule-words.js';

/** A payload as JSON can carry it: JSON as it is, a Buffer as base64. */
export type ConsolePayload = JsonValue | { type: 'Buffer'; base64: string };

/**
 * A task as the console API answers it, in lists and alone alike: the fields of `ScheduledJob`
 * (`nextRunTime`, `state`, …) plus what an operator needs besides.
 */
export interface ConsoleTask {
  slug: string;
  kind: string;
  /** The first of running, paused, failed, scheduled that applies. */
  state: JobState;
  /** No live instance registers its kind: nothing will run it until one does. */
  orphaned: boolean;
  /** When it runs next (for a failed task: when it last would have). */
  nextRunTime: Date;
  /** Its own schedule, or null (one-time, or recurring on its kind's registered trigger). */
  schedule: ScheduleSpec | null;
  /** The schedule in plain words. */
  scheduleText: string;
  payload: ConsolePayload;
  /** Retries since the last success. */
  retry: number;
  /** The last run's result or error message. */
  result: string | null;
  failed: boolean;
  paused: boolean;
  lockedBy: string | null;
  lockedUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One execution, as the console answers it. */
export interface ConsoleRun extends HistoryRecord {
  /** `finishedAt - startedAt`. */
  durationMs: number;
  /** `startedAt - scheduledAt`: how late the run started. */
  lateMs: number;
}

/** An instance of the registry, as the console answers it. */
export interface ConsoleInstance extends InstanceRecord {
  /** Whether it was heard from within the live window. */
  live: boolean;
}

/** Per kind: tasks by state, runs in the window, and who runs it. */
export interface ConsoleKind {
  kind: string;
  scheduled: number;
  running: number;
  failed: number;
  paused: number;
  /** Executions that finished within the window (all outcomes). */
  runs: number;
  /** Of those, the ones that failed or lost their lease. */
  failures: number;
  /** Live instances that register the kind. */
  instances: number;
  /** No live instance registers the kind. */
  orphaned: boolean;
}

/** A task from a page of `listJobs`, at `now`, against the kinds live instances register. */
export function fromStoreTask(task: StoreTask, now: Date, registered: ReadonlySet<string>): ConsoleTask {
  return view({ ...task, nextRunTime: task.runAt, state: stateOf(task, now) }, registered);
}

/** A task from `getScheduledJob`, against the kinds live instances register. */
export function fromScheduledJob(job: ScheduledJob, registered: ReadonlySet<string>): ConsoleTask {
  return view(job, registered);
}

function view(job: Omit<ScheduledJob, 'payload'> & { payload: Payload }, registered: ReadonlySet<string>) {
  return {
    slug: job.slug,
    kind: job.kind,
    state: job.state,
    orphaned: !registered.has(job.kind),
    nextRunTime: job.nextRunTime,
    schedule: job.schedule,
    scheduleText: scheduleInWords(job.schedule),
    payload: jsonPayload(job.payload),
    retry: job.retry,
    result: job.result,
    failed: job.failed,
    paused: job.paused,
    lockedBy: job.lockedBy,
    lockedUntil: job.lockedUntil,
    version: job.version,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

/** A history record with its duration and lateness. */
export function toConsoleRun(record: HistoryRecord): ConsoleRun {
  return {
    ...record,
    durationMs: record.finishedAt.getTime() - record.startedAt.getTime(),
    lateMs: record.startedAt.getTime() - record.scheduledAt.getTime(),
  };
}

function jsonPayload(payload: Payload): ConsolePayload {
  return Buffer.isBuffer(payload) ? { type: 'Buffer', base64: payload.toString('base64') } : payload;
}
