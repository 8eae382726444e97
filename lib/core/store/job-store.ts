import type { StoreTask, TraceContext } from '../job.js';
import type { Payload } from '../payload.js';
import type { ClaimLimits } from './claim-limits.js';
import type { ScheduleSpec } from '../schedule/trigger.js';

/**
 * What `JobStore.create` writes. The store fills in `version` (1), `retry` (0), `result` (null),
 * `failed` (false), `paused` (false unless given), no lease, and the timestamps.
 */
export interface NewTask {
  slug: string;
  kind: string;
  payload: Payload;
  runAt: Date;
  schedule: ScheduleSpec | null;
  paused?: boolean;
  /**
   * The trace context to keep with the task (see `StoreTask.traceContext`); absent, `null` or `{}`:
   * none. Checked by `assertTraceContext` (at most `MAX_TRACE_CONTEXT_BYTES`).
   */
  traceContext?: TraceContext | null;
  /** Higher is claimed first among due tasks; whole, from -1000 to 1000. Absent: 0. */
  priority?: number;
  /**
   * The key this task counts against for its kind's per-key limit (`ClaimRequest.limits`); absent
   * or `null`: none. At most `MAX_CONCURRENCY_KEY_BYTES` UTF-8 bytes.
   */
  concurrencyKey?: string | null;
}

/** Options of `JobStore.create`. */
export interface CreateOptions {
  /**
   * Overwrite a task with the same slug: everything is replaced, its lease is cleared and its
   * version goes up, so that a run in flight on the old definition is fenced out.
   */
  replace?: boolean;
  /**
   * A transaction of the caller's (store-specific: a `pg` client or a TypeORM `EntityManager` for
   * PostgreSQL) in which to write, so that the task exists if and only if that transaction commits.
   * A store that does not support it throws.
   */
  tx?: unknown;
}

/** What `JobStore.createMany` does with a slug that exists: refuse the call, leave it, or replace it. */
export type ConflictPolicy = 'error' | 'skip' | 'replace';

/** Options of `JobStore.createMany`. */
export interface CreateManyOptions {
  /** Default `'error'`. */
  onConflict?: ConflictPolicy;
  /** A transaction of the caller's, as for `create` (store-specific). */
  tx?: unknown;
}

/** What `JobStore.createMany` did with one slug. */
export interface CreatedItem {
  slug: string;
  status: 'created' | 'skipped' | 'replaced';
  /** The incarnation written (`null` when skipped: the existing task was left as it was). */
  incarnation: string | null;
}

/** What `JobStore.claim` claims. */
export interface ClaimRequest {
  /** Only tasks of these kinds; an empty list claims nothing. */
  kinds: readonly string[];
  /** The claiming instance's id, written to `lockedBy`. */
  owner: string;
  /** Lease length: `lockedUntil` = the store's now + `leaseMs`. */
  leaseMs: number;
  /** At most this many tasks. */
  limit: number;
  /**
   * Cluster-wide limits of some of the kinds (see `ClaimLimits`): the store takes a task of such a
   * kind only while the kind's live leases, live leases per concurrency key, and starts within the
   * rate window allow it, counted by the store itself, so that every claimer of the store respects
   * them together. Kinds without limits are claimed as without this field.
   */
  limits?: ClaimLimits;
}

/** A claimed task named by slug and the version its claim produced: the fencing token. */
export interface LeaseRef {
  slug: string;
  version: number;
}

/**
 * What a run changes about its task: remove it, or give it a new run time and state. The engine's
 * `decideOutcome` says which (with the event it reports); `settle` writes it.
 */
export type OutcomeChange =
  | { type: 'delete' }
  | {
      type: 'reschedule';
      runAt: Date;
      retry: number;
      result: string | null;
      failed: boolean;
      /** Written only when present (a job that changed its payload). */
      payload?: Payload;
    };

/** What to do with a task after a run, applied only if the caller still owns it at that version. */
export type TaskOutcome = LeaseRef & OutcomeChange;

/** Which outcomes were applied and which were refused because the lease had been lost. */
export interface SettleResult {
  applied: string[];
  /** Slugs whose owner or version no longer matched (claimed by another, replaced or deleted). */
  rejected: string[];
}

/** Fields `JobStore.update` may change. */
export interface TaskPatch {
  runAt?: Date;
  schedule?: ScheduleSpec | null;
  payload?: Payload;
  paused?: boolean;
  failed?: boolean;
  retry?: number;
  result?: string | null;
}

/** Options of `JobStore.update`. */
export interface UpdateOptions {
  /** Refuse (status `running`) when the task is under a live lease. */
  ifIdle?: boolean;
}

/** What `JobStore.update` did. */
export type UpdateResult =
  { status: 'updated'; task: StoreTask } | { status: 'not-found' } | { status: 'running'; task: StoreTask };

/** The state filter of `JobStore.list`. */
export type TaskStateFilter = 'scheduled' | 'running' | 'failed' | 'paused';

/** A page request of `JobStore.list`: tasks in slug order. */
export interface ListQuery {
  kind?: string;
  state?: TaskStateFilter;
  /** Only slugs that start with this text (`''` or absent: every slug). Paging stays a range scan. */
  slugPrefix?: string;
  /** 1..1000. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** One page of `JobStore.list`. */
export interface TaskPage {
  tasks: StoreTask[];
  /** Pass to the next call; `null` on the last page. */
  nextCursor: string | null;
}

/** How one execution ended, as history keeps it. */
export type ExecutionOutcome = 'succeeded' | 'failed' | 'lease-lost';

/** One record of execution history. */
export interface HistoryRecord {
  slug: string;
  kind: string;
  scheduledAt: Date;
  startedAt: Date;
  finishedAt: Date;
  outcome: ExecutionOutcome;
  error: string | null;
  /** 1 for a first attempt. */
  attempt: number;
  instanceId: string;
}

/** How many tasks of one kind are in each state (the precedence of `jobState`: running, paused, failed, scheduled). */
export interface KindCounts {
  kind: string;
  scheduled: number;
  running: number;
  failed: number;
  paused: number;
}

/** How the executions of one kind that finished in a window ended. */
export interface KindRunStats {
  kind: string;
  succeeded: number;
  failed: number;
  leaseLost: number;
}

/** The health of an instance's loop, as it publishes it (see `SchedulerHealth`). */
export interface InstanceHealthSummary {
  /** The loop runs. */
  running: boolean;
  /** When a store call of the loop last succeeded. */
  lastPollAt: Date | null;
  /** The last store error of the loop, `null` once a store call succeeds again. */
  lastStoreError: string | null;
  /** Store errors in a row. */
  consecutiveStoreErrors: number;
}

/** What a running scheduler publishes about itself to the store (`recordInstance`). */
export interface InstanceInfo {
  /** The id it writes as lease owner. */
  instanceId: string;
  hostname: string;
  pid: number;
  /** When its loop started (its own clock). */
  startedAt: Date;
  /** The kinds it registers: tasks of other kinds are never claimed by it. */
  kinds: string[];
  /** Tasks it holds and has not settled yet. */
  inFlight: number;
  health: InstanceHealthSummary;
}

/** An instance as the registry holds it. */
export interface InstanceRecord extends InstanceInfo {
  /** When the store last heard from it, stamped by the store with its own clock. */
  lastSeenAt: Date;
}

/**
 * Where tasks live. Every store passes the one contract suite in `test/contract`.
 *
 * The contract, in brief:
 * - A slug is unique: `create` of an existing slug throws `JobAlreadyScheduledError` unless
 *   `replace`; of several concurrent creators of one slug exactly one succeeds.
 * - A task is *claimable* when it is not paused, not failed, its `runAt` is at or before the
 *   store's now, and it has no live lease (`lockedUntil` is null or past).
 * - `claim` is atomic: no task is handed to two claimers while a lease is live. Claiming
 *   sets `lockedBy`, `lockedUntil` and increments `version`; tasks come in claim order: higher
 *   `priority` first, then earlier `runAt`. With `limits`, a limited kind's tasks are taken only
 *   while its cluster-wide limits allow, counted by the store over every claimer (live leases only).
 * - Every write about a claimed task (`extendLease`, `settle`, `release`) is conditional on
 *   `lockedBy === owner` and the version the claim returned (fencing). An expired lease that nobody
 *   has taken over may still be settled by its owner; once another instance claimed the task, the
 *   old owner's writes are refused.
 * - Payloads round-trip exactly (JSON values, and Buffers as Buffers).
 * - Time comparisons for due and lease use the store's clock (the database's for a database).
 */
export interface JobStore {
  /** Prepares the store (creates tables, runs migrations). Idempotent; safe from many instances at once. */
  init(): Promise<void>;
  /** Releases what the store itself opened (not a pool or client the user passed in). */
  close(): Promise<void>;

  /** Creates a task. @throws JobAlreadyScheduledError when the slug exists and `replace` is not set. */
  create(task: NewTask, options?: CreateOptions): Promise<StoreTask>;
  /**
   * Creates many tasks (distinct slugs, checked by the caller) as few writes as the store can, and
   * says per slug what it did, in the order given. With `onConflict: 'error'` (the default) a slug
   * that exists throws `JobAlreadyScheduledError` and nothing of the call is written (a store that
   * cannot make the whole call atomic says so in its documentation). Of several callers racing for
   * one slug, exactly one creates it; the others' results say `skipped` (or `replaced`).
   * Optional: the engine falls back to one `create` per task (`createEach`).
   */
  createMany?(tasks: readonly NewTask[], options?: CreateManyOptions): Promise<CreatedItem[]>;
  /**
   * The earliest time at which a task of one of `kinds` becomes claimable: `max(runAt, lockedUntil)`
   * over tasks that are neither paused nor failed. `null` when there is none.
   */
  nextRun(kinds: readonly string[]): Promise<Date | null>;
  /**
   * Claims up to `limit` claimable tasks of the given kinds, higher `priority` first, then earliest
   * `runAt`, within the kinds' `limits`.
   */
  claim(request: ClaimRequest): Promise<StoreTask[]>;
  /** Extends the leases still held by `owner` at those versions; returns the slugs still held. */
  extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]>;
  /** Applies run outcomes, each only if `owner` still holds that task at that version; clears the lease. */
  settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult>;
  /** Gives back leases without a run (shutdown): the tasks keep their `runAt` and become claimable at once. */
  release(owner: string, leases: readonly LeaseRef[]): Promise<void>;

  /** One task, or null. */
  get(slug: string): Promise<StoreTask | null>;
  /** Every slug, in slug order. For large stores prefer `list`. */
  getSlugs(): Promise<string[]>;
  /** A page of tasks in slug order, optionally filtered by kind and state. */
  list(query: ListQuery): Promise<TaskPage>;
  /**
   * Changes a task outside a run (pause, reschedule, run now, schedule sync). Bumps `version` unless
   * the patch only changes `paused` (so that a pause does not fence out a run in flight).
   */
  update(slug: string, patch: TaskPatch, options?: UpdateOptions): Promise<UpdateResult>;
  /** Pauses or resumes every task of a kind; returns how many changed. Does not bump versions. */
  setPausedByKind(kind: string, paused: boolean): Promise<number>;
  /** Deletes a task whatever its lease; returns whether it existed. */
  delete(slug: string): Promise<boolean>;
  /** Deletes every task (and its history, and whatever the store keeps for limits). */
  clear(): Promise<void>;

  /**
   * Subscribes to wake-ups: the store calls `listener` when a task was created or rescheduled,
   * possibly by another instance, with its `runAt`, so that an idle loop sleeping toward a later
   * time wakes at once. Optional: without it, instances notice others' tasks at the next heartbeat.
   * Returns an unsubscribe function.
   */
  onWake?(listener: (runAt: Date) => void): () => void;

  /** Appends execution history records. */
  appendHistory(records: readonly HistoryRecord[]): Promise<void>;
  /** A task's history, newest first. */
  getHistory(slug: string, limit: number): Promise<HistoryRecord[]>;
  /** Deletes history records that finished before `before`; returns how many. */
  pruneHistory(before: Date): Promise<number>;

  // The console's reads and the instance registry.

  /**
   * Per kind, in kind order, how many tasks are in each state at the store's now. Kinds without a
   * task are absent. Meant for dashboards: a store may read an index per state rather than rows.
   */
  countByKind(): Promise<KindCounts[]>;
  /** Per kind, in kind order, how the executions that finished at or after `since` ended. */
  countHistory(since: Date): Promise<KindRunStats[]>;
  /** Creates or overwrites an instance's record, stamping `lastSeenAt` with the store's now. */
  recordInstance(info: InstanceInfo): Promise<void>;
  /** Removes an instance's record (on graceful stop); returns whether it existed. */
  removeInstance(instanceId: string): Promise<boolean>;
  /** The instances heard from within the last `maxAgeMs` of the store's now, in instanceId order. */
  listInstances(maxAgeMs: number): Promise<InstanceRecord[]>;
  /** Deletes the records of instances not heard from within the last `maxAgeMs`; returns how many. */
  pruneInstances(maxAgeMs: number): Promise<number>;
}
