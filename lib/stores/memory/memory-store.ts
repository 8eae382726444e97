import { SystemClock, type Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';
import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import type { StoreTask, TraceContext } from '../../core/job.js';
import { jobState } from '../../core/job-state.js';
import { clonePayload, type Payload } from '../../core/payload.js';
import type { ScheduleSpec } from '../../core/schedule/trigger.js';
import {
  assertDistinctSlugs,
  assertNewTask,
  assertOutcome,
  assertTaskPatch,
  copySchedule,
  freshState,
  holds,
  leaseIsLive,
  patchRedefines,
} from '../../core/store/store-rules.js';
import type {
  ClaimRequest,
  CreatedItem,
  CreateManyOptions,
  CreateOptions,
  HistoryRecord,
  InstanceInfo,
  InstanceRecord,
  JobStore,
  KindCounts,
  KindRunStats,
  LeaseRef,
  ListQuery,
  NewTask,
  SettleResult,
  TaskOutcome,
  TaskPage,
  TaskPatch,
  UpdateOptions,
  UpdateResult,
} from '../../core/store/job-store.js';
import { tallyRuns, tallyStates } from '../../core/store/counts.js';
import {
  assertDateArgument,
  assertInstanceId,
  assertInstanceInfo,
  assertLeaseMs,
  assertListLimit,
  assertMaxAgeMs,
  assertSlugPrefix,
} from '../../core/arguments.js';
import {
  assertClaimLimits,
  ClaimBudget,
  isLimited,
  type KindLimits,
  type KindUsage,
} from '../../core/store/claim-limits.js';
import { HistoryRing } from './history-ring.js';
import { MinHeap } from './min-heap.js';
import { SortedSlugs } from './sorted-slugs.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Where "now" comes from for due times and leases; the system clock by default. */
  clock?: Clock;
  /** How many execution history records the store keeps (a ring, oldest dropped first); 10,000 by default. */
  historyLimit?: number;
}

/** A task as the store holds it: times as epoch milliseconds, plus where it sits in the queues. */
interface TaskRecord {
  slug: string;
  kind: string;
  payload: Payload;
  runAt: number;
  priority: number;
  concurrencyKey: string | null;
  version: number;
  incarnation: string;
  retry: number;
  result: string | null;
  failed: boolean;
  paused: boolean;
  schedule: ScheduleSpec | null;
  traceContext: TraceContext | null;
  lockedBy: string | null;
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
  /** The heap holding the record; null while paused or failed. */
  heap: MinHeap<TaskRecord> | null;
  heapIndex: number;
  /** When the record becomes claimable: its `runAt`, or `max(runAt, lockedUntil)` under a live lease. */
  heapKey: number;
  /** Breaks ties between equal keys in insertion order. */
  seq: number;
}

/**
 * The queues of one kind. `ready` holds tasks without a live lease, one heap per priority level
 * keyed by `runAt` (`levels` lists the levels, highest first), so claims come out by priority, then
 * in `runAt` order, reading only heads: the highest level whose head is due goes first. `leased`
 * holds tasks under a lease keyed by the time they become claimable again, and feeds expired
 * leases back into `ready`.
 */
interface KindQueues {
  ready: Map<number, MinHeap<TaskRecord>>;
  levels: number[];
  leased: MinHeap<TaskRecord>;
  /** Start times (ms) of claims of this kind within the last rate window (only for a rate-limited kind). */
  starts: number[];
}

/**
 * Candidates refused for their concurrency key that one claim looks past per kind before it gives
 * up on the kind for this call (they stay due; the next claim looks again).
 */
const MAX_KEY_SKIPS = 1000;

const DEFAULT_HISTORY_LIMIT = 10_000;

function compareRecords(a: TaskRecord, b: TaskRecord): number {
  return a.heapKey - b.heapKey || a.seq - b.seq;
}

function trackPosition(record: TaskRecord, index: number): void {
  record.heapIndex = index;
  if (index < 0) record.heap = null;
}

function newHeap(): MinHeap<TaskRecord> {
  return new MinHeap<TaskRecord>({ compare: compareRecords, onMove: trackPosition });
}

/**
 * The embedded store: every task in this process's memory, nothing durable. The default for a
 * single process and for tests; several schedulers in one process may share one instance (they
 * wake each other through {@link MemoryStore.onWake}).
 *
 * Tasks sit in binary min-heaps per kind, so `nextRun` reads heap heads and `lock` costs
 * O(k + log n) per claimed task (k = kinds asked for), whatever number of tasks is queued.
 * Paused and failed tasks sit in no heap. Every method does all its work synchronously once
 * called, so concurrent callers never interleave inside one operation.
 */
export class MemoryStore implements JobStore {
  private readonly clock: Clock;
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly queues = new Map<string, KindQueues>();
  private readonly slugs = new SortedSlugs((slug) => this.tasks.has(slug));
  private readonly history: HistoryRing;
  private readonly wakeListeners = new Set<(runAt: Date) => void>();
  private readonly instances = new Map<string, InstanceRecord>();
  private seq = 0;

  constructor(options: MemoryStoreOptions = {}) {
    const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(historyLimit) || historyLimit < 0) {
      throw new InvalidStoreOptionError('historyLimit', 'must be a non-negative integer');
    }
    this.clock = options.clock ?? new SystemClock();
    this.history = new HistoryRing(historyLimit);
  }

  /** How many tasks the store holds. */
  get size(): number {
    return this.tasks.size;
  }

  /** Nothing to prepare. */
  async init(): Promise<void> {}

  /** Nothing to release: the tasks stay, so that other holders of this instance keep working. */
  async close(): Promise<void> {}

  async create(task: NewTask, options: CreateOptions = {}): Promise<StoreTask> {
    assertNoTransaction(options.tx);
    assertNewTask(task);
    const existing = this.tasks.get(task.slug);
    if (existing && !options.replace) throw new JobAlreadyScheduledError(task.slug);
    const now = this.now();
    const record = this.write(task, existing, now);
    this.place(record, now);
    this.wake([record]);
    return this.snapshot(record);
  }

  /** Many tasks at once: checked first, then written, and each kind's queue rebuilt once. */
  async createMany(tasks: readonly NewTask[], options: CreateManyOptions = {}): Promise<CreatedItem[]> {
    assertNoTransaction(options.tx);
    const onConflict = options.onConflict ?? 'error';
    assertDistinctSlugs(tasks);
    for (const task of tasks) {
      assertNewTask(task);
      if (onConflict === 'error' && this.tasks.has(task.slug)) throw new JobAlreadyScheduledError(task.slug);
    }
    const now = this.now();
    const results: CreatedItem[] = [];
    const written: TaskRecord[] = [];
    const fresh = new Map<string, TaskRecord[]>();
    for (const task of tasks) {
      const existing = this.tasks.get(task.slug);
      if (existing && onConflict === 'skip') {
        results.push({ slug: task.slug, status: 'skipped', incarnation: null });
        continue;
      }
      const record = this.write(task, existing, now);
      if (existing) {
        this.place(record, now);
      } else if (!record.paused) {
        const key = `${record.priority}\u0000${record.kind}`;
        const batch = fresh.get(key) ?? [];
        if (batch.length === 0) fresh.set(key, batch);
        batch.push(record);
      }
      written.push(record);
      results.push({
        slug: task.slug,
        status: existing ? 'replaced' : 'created',
        incarnation: record.incarnation,
      });
    }
    for (const records of fresh.values()) {
      const ready = this.readyHeap(this.queuesFor(records[0].kind), records[0].priority);
      for (const record of records) {
        record.seq = ++this.seq;
        record.heapKey = record.runAt;
        record.heap = ready;
      }
      ready.pushAll(records);
    }
    this.wake(written);
    return results;
  }

  /**
   * Writes a new task into a record: a fresh one (added to the maps), or the existing one replaced
   * (out of its heap, a new incarnation, the version up). Placing it in a heap is the caller's.
   */
  private write(task: NewTask, existing: TaskRecord | undefined, now: number): TaskRecord {
    const fields = { ...freshState(task), kind: task.kind, runAt: task.runAt.getTime(), updatedAt: now };
    if (existing) {
      this.detach(existing);
      return Object.assign(existing, fields, { version: existing.version + 1 });
    }
    const record: TaskRecord = {
      slug: task.slug,
      ...fields,
      version: 1,
      createdAt: now,
      heap: null,
      heapIndex: -1,
      heapKey: 0,
      seq: 0,
    };
    this.tasks.set(task.slug, record);
    this.slugs.add(task.slug);
    return record;
  }

  async nextRun(kinds: readonly string[]): Promise<Date | null> {
    let earliest = Number.POSITIVE_INFINITY;
    for (const kind of kinds) {
      const queues = this.queues.get(kind);
      if (!queues) continue;
      for (const heap of queues.ready.values())
        earliest = Math.min(earliest, heap.peek()?.heapKey ?? earliest);
      earliest = Math.min(earliest, queues.leased.peek()?.heapKey ?? earliest);
    }
    return earliest === Number.POSITIVE_INFINITY ? null : new Date(earliest);
  }

  /**
   * Takes, until `limit`, the best due head over the kinds asked for: highest priority, then
   * earliest `runAt`. A kind with limits gets a {@link ClaimBudget} over its live leases and recent
   * starts; a head its budget refuses for its key is set aside (and put back after the claim), one
   * whose kind has no budget left ends that kind for this call.
   */
  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    assertLeaseMs(request.leaseMs);
    assertClaimLimits(request.limits);
    const now = this.now();
    const candidates: Array<{
      queues: KindQueues;
      budget: ClaimBudget | null;
      limits: KindLimits | undefined;
    }> = [];
    for (const kind of new Set(request.kinds)) {
      const queues = this.queues.get(kind);
      if (!queues) continue;
      this.promoteExpiredLeases(queues, now);
      const limits = request.limits?.[kind];
      const budget = isLimited(limits) ? new ClaimBudget(limits, this.usage(queues, limits, now)) : null;
      candidates.push({ queues, budget, limits });
    }

    const claimed: StoreTask[] = [];
    const setAside: TaskRecord[] = [];
    const skips = new Map<KindQueues, number>();
    while (claimed.length < request.limit) {
      let best: { record: TaskRecord; from: (typeof candidates)[number] } | undefined;
      for (const candidate of candidates) {
        if (candidate.budget !== null && candidate.budget.remaining() <= 0) continue;
        const record = dueHead(candidate.queues, now);
        if (record && (!best || claimOrder(record, best.record) < 0)) best = { record, from: candidate };
      }
      if (!best) break;
      const { record, from } = best;
      (record.heap as MinHeap<TaskRecord>).pop();
      if (from.budget !== null && !from.budget.take(record.concurrencyKey)) {
        // Its key is at its limit: it stays due, behind the others of its kind.
        record.heap = null;
        setAside.push(record);
        const skipped = (skips.get(from.queues) ?? 0) + 1;
        skips.set(from.queues, skipped);
        if (skipped >= MAX_KEY_SKIPS) from.budget = new ClaimBudget({ globalConcurrency: 0 }, NO_USAGE);
        continue;
      }
      record.lockedBy = request.owner;
      record.lockedUntil = now + request.leaseMs;
      record.version += 1;
      record.updatedAt = now;
      this.place(record, now);
      if (from.limits?.rateLimit !== undefined) from.queues.starts.push(now);
      claimed.push(this.snapshot(record));
    }
    for (const record of setAside) this.place(record, now);
    return claimed;
  }

  /** A limited kind's live leases (per key) and starts within its rate window, at `now`. */
  private usage(queues: KindQueues, limits: KindLimits, now: number): KindUsage {
    const runningByKey = new Map<string, number>();
    let running = 0;
    // After promoteExpiredLeases the leased heap holds live leases (and a few set to run later).
    for (const record of queues.leased.toArray()) {
      if (!hasLiveLease(record, now)) continue;
      running += 1;
      if (record.concurrencyKey !== null)
        runningByKey.set(record.concurrencyKey, (runningByKey.get(record.concurrencyKey) ?? 0) + 1);
    }
    pruneStarts(queues.starts, limits.rateLimit?.perMs, now);
    return { running, runningByKey, recentStarts: queues.starts.length };
  }

  async extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    const now = this.now();
    const held: string[] = [];
    for (const lease of leases) {
      const record = this.held(owner, lease);
      if (!record) continue;
      this.detach(record);
      record.lockedUntil = now + leaseMs;
      record.updatedAt = now;
      this.place(record, now);
      held.push(lease.slug);
    }
    return held;
  }

  async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    // Checked before anything is written, so that a bad outcome cannot leave a batch half applied.
    for (const outcome of outcomes) assertOutcome(outcome);
    const now = this.now();
    const result: SettleResult = { applied: [], rejected: [] };
    const rescheduled: TaskRecord[] = [];
    for (const outcome of outcomes) {
      const record = this.held(owner, outcome);
      if (!record) {
        result.rejected.push(outcome.slug);
        continue;
      }
      if (outcome.type === 'delete') {
        this.remove(record);
      } else {
        this.detach(record);
        record.runAt = outcome.runAt.getTime();
        record.retry = outcome.retry;
        record.result = outcome.result;
        record.failed = outcome.failed;
        if (outcome.payload !== undefined) record.payload = clonePayload(outcome.payload);
        record.lockedBy = null;
        record.lockedUntil = null;
        record.version += 1;
        record.updatedAt = now;
        this.place(record, now);
        rescheduled.push(record);
      }
      result.applied.push(outcome.slug);
    }
    this.wake(rescheduled);
    return result;
  }

  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    const now = this.now();
    const released: TaskRecord[] = [];
    for (const lease of leases) {
      const record = this.held(owner, lease);
      if (!record) continue;
      this.detach(record);
      record.lockedBy = null;
      record.lockedUntil = null;
      record.updatedAt = now;
      this.place(record, now);
      released.push(record);
    }
    this.wake(released);
  }

  async get(slug: string): Promise<StoreTask | null> {
    const record = this.tasks.get(slug);
    return record ? this.snapshot(record) : null;
  }

  async getSlugs(): Promise<string[]> {
    return this.slugs.all();
  }

  async list(query: ListQuery): Promise<TaskPage> {
    const { limit } = query;
    assertListLimit(limit);
    assertSlugPrefix(query.slugPrefix);
    const now = this.now();
    const page: TaskRecord[] = [];
    for (const slug of this.slugsToList(query.cursor ?? null, query.slugPrefix ?? '')) {
      const record = this.tasks.get(slug) as TaskRecord;
      if (query.kind !== undefined && record.kind !== query.kind) continue;
      if (
        query.state !== undefined &&
        jobState(record.paused, record.failed, hasLiveLease(record, now)) !== query.state
      )
        continue;
      page.push(record);
      // One more than asked tells whether another page exists, so the last page says so.
      if (page.length > limit) break;
    }
    const more = page.length > limit;
    const tasks = page.slice(0, limit).map((record) => this.snapshot(record));
    return { tasks, nextCursor: more ? tasks[tasks.length - 1].slug : null };
  }

  async update(slug: string, patch: TaskPatch, options: UpdateOptions = {}): Promise<UpdateResult> {
    const record = this.tasks.get(slug);
    if (!record) return { status: 'not-found' };
    const now = this.now();
    assertTaskPatch(patch);
    if (options.ifIdle && leaseIsLive(record.lockedUntil, now))
      return { status: 'running', task: this.snapshot(record) };
    const runAt = patch.runAt?.getTime();

    this.detach(record);
    if (runAt !== undefined) record.runAt = runAt;
    if (patch.schedule !== undefined) record.schedule = copySchedule(patch.schedule);
    if (patch.payload !== undefined) record.payload = clonePayload(patch.payload);
    if (patch.paused !== undefined) record.paused = patch.paused;
    if (patch.failed !== undefined) record.failed = patch.failed;
    if (patch.retry !== undefined) record.retry = patch.retry;
    if (patch.result !== undefined) record.result = patch.result;
    if (patchRedefines(patch)) record.version += 1;
    record.updatedAt = now;
    this.place(record, now);
    this.wake([record]);
    return { status: 'updated', task: this.snapshot(record) };
  }

  async setPausedByKind(kind: string, paused: boolean): Promise<number> {
    const now = this.now();
    const changed: TaskRecord[] = [];
    for (const record of this.tasks.values()) {
      if (record.kind !== kind || record.paused === paused) continue;
      this.detach(record);
      record.paused = paused;
      record.updatedAt = now;
      this.place(record, now);
      changed.push(record);
    }
    this.wake(changed);
    return changed.length;
  }

  async delete(slug: string): Promise<boolean> {
    const record = this.tasks.get(slug);
    if (!record) return false;
    this.remove(record);
    return true;
  }

  async clear(): Promise<void> {
    for (const queues of this.queues.values()) {
      for (const heap of queues.ready.values()) heap.clear();
      queues.leased.clear();
    }
    this.queues.clear();
    this.tasks.clear();
    this.slugs.clear();
    this.history.clear();
  }

  onWake(listener: (runAt: Date) => void): () => void {
    // A wrapper per subscription, so that subscribing one function twice needs two unsubscribes.
    const entry = (runAt: Date): void => listener(runAt);
    this.wakeListeners.add(entry);
    return () => {
      this.wakeListeners.delete(entry);
    };
  }

  async appendHistory(records: readonly HistoryRecord[]): Promise<void> {
    this.history.append(records);
  }

  async getHistory(slug: string, limit: number): Promise<HistoryRecord[]> {
    return this.history.forSlug(slug, limit);
  }

  async pruneHistory(before: Date): Promise<number> {
    return this.history.prune(before);
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** The record if `owner` holds it at that version (the fencing check), else undefined. */
  private held(owner: string, lease: LeaseRef): TaskRecord | undefined {
    const record = this.tasks.get(lease.slug);
    return record && holds(record, owner, lease.version) ? record : undefined;
  }

  private queuesFor(kind: string): KindQueues {
    let queues = this.queues.get(kind);
    if (!queues) {
      queues = { ready: new Map(), levels: [], leased: newHeap(), starts: [] };
      this.queues.set(kind, queues);
    }
    return queues;
  }

  /** The ready heap of one priority level of a kind (made on first use). */
  private readyHeap(queues: KindQueues, priority: number): MinHeap<TaskRecord> {
    let heap = queues.ready.get(priority);
    if (!heap) {
      heap = newHeap();
      queues.ready.set(priority, heap);
      queues.levels = [...queues.ready.keys()].sort((a, b) => b - a);
    }
    return heap;
  }

  /** Puts a record in the heap its state calls for (none while paused or failed). */
  private place(record: TaskRecord, now: number): void {
    if (record.paused || record.failed) return;
    const queues = this.queuesFor(record.kind);
    record.seq = ++this.seq;
    if (hasLiveLease(record, now)) {
      record.heapKey = Math.max(record.runAt, record.lockedUntil as number);
      record.heap = queues.leased;
    } else {
      record.heapKey = record.runAt;
      record.heap = this.readyHeap(queues, record.priority);
    }
    record.heap.push(record);
  }

  /** Takes a record out of its heap before a field its key depends on changes. */
  private detach(record: TaskRecord): void {
    record.heap?.removeAt(record.heapIndex);
  }

  private remove(record: TaskRecord): void {
    this.detach(record);
    this.tasks.delete(record.slug);
    this.slugs.delete();
  }

  /** Moves tasks whose lease has run out (and which are due) back to the ready queue, keyed by `runAt`. */
  private promoteExpiredLeases(queues: KindQueues, now: number): void {
    for (let head = queues.leased.peek(); head && head.heapKey <= now; head = queues.leased.peek()) {
      queues.leased.pop();
      head.heapKey = head.runAt;
      head.heap = this.readyHeap(queues, head.priority);
      head.heap.push(head);
    }
  }

  /** Tells wake listeners when the earliest of these (claimable) tasks becomes claimable. */
  private wake(records: readonly TaskRecord[]): void {
    if (this.wakeListeners.size === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const record of records) if (record.heap) earliest = Math.min(earliest, record.heapKey);
    if (earliest === Number.POSITIVE_INFINITY) return;
    for (const listener of [...this.wakeListeners]) {
      try {
        listener(new Date(earliest));
      } catch {
        // A listener's failure is its own; the write it reports has already happened.
      }
    }
  }

  private snapshot(record: TaskRecord): StoreTask {
    const task: StoreTask = {
      slug: record.slug,
      kind: record.kind,
      payload: clonePayload(record.payload),
      runAt: new Date(record.runAt),
      priority: record.priority,
      version: record.version,
      incarnation: record.incarnation,
      retry: record.retry,
      result: record.result,
      failed: record.failed,
      paused: record.paused,
      schedule: copySchedule(record.schedule),
      lockedBy: record.lockedBy,
      lockedUntil: record.lockedUntil === null ? null : new Date(record.lockedUntil),
      createdAt: new Date(record.createdAt),
      updatedAt: new Date(record.updatedAt),
    };
    if (record.traceContext !== null) task.traceContext = { ...record.traceContext };
    if (record.concurrencyKey !== null) task.concurrencyKey = record.concurrencyKey;
    return task;
  }

  // ------------------------------------------------------------------ the console's reads, instances

  /** Reads every task: O(n), as nothing in the memory store is kept per state. */
  async countByKind(): Promise<KindCounts[]> {
    const now = this.now();
    return tallyStates(
      [...this.tasks.values()].map((record) => ({
        kind: record.kind,
        state: jobState(record.paused, record.failed, hasLiveLease(record, now)),
      })),
    );
  }

  async countHistory(since: Date): Promise<KindRunStats[]> {
    assertDateArgument('since', since);
    return tallyRuns(this.history.finishedSince(since));
  }

  async recordInstance(info: InstanceInfo): Promise<void> {
    assertInstanceInfo(info);
    this.instances.set(info.instanceId, { ...copyInstance(info), lastSeenAt: new Date(this.now()) });
  }

  async removeInstance(instanceId: string): Promise<boolean> {
    assertInstanceId(instanceId);
    return this.instances.delete(instanceId);
  }

  async listInstances(maxAgeMs: number): Promise<InstanceRecord[]> {
    assertMaxAgeMs(maxAgeMs);
    const since = this.now() - maxAgeMs;
    return [...this.instances.values()]
      .filter((record) => record.lastSeenAt.getTime() >= since)
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0))
      .map((record) => ({ ...copyInstance(record), lastSeenAt: new Date(record.lastSeenAt.getTime()) }));
  }

  async pruneInstances(maxAgeMs: number): Promise<number> {
    assertMaxAgeMs(maxAgeMs);
    const since = this.now() - maxAgeMs;
    let removed = 0;
    for (const [id, record] of this.instances) {
      if (record.lastSeenAt.getTime() < since && this.instances.delete(id)) removed += 1;
    }
    return removed;
  }

  /** Slugs after `cursor` that start with `prefix`: from the first such slug, until one does not. */
  private *slugsToList(cursor: string | null, prefix: string): Generator<string> {
    const slugs = cursor === null || cursor < prefix ? this.slugs.from(prefix) : this.slugs.after(cursor);
    for (const slug of slugs) {
      if (!slug.startsWith(prefix)) return;
      yield slug;
    }
  }
}

/** Drops the start times (appended in time order) that left the rate window; all of them without a rate limit. */
function pruneStarts(starts: number[], perMs: number | undefined, now: number): void {
  if (perMs === undefined) {
    starts.length = 0;
    return;
  }
  let expired = 0;
  while (expired < starts.length && starts[expired]! <= now - perMs) expired += 1;
  if (expired > 0) starts.splice(0, expired);
}

const NO_USAGE: KindUsage = { running: 0, runningByKey: new Map(), recentStarts: 0 };

/** The kind's best due ready task: the head of the highest level whose head is due, if any. */
function dueHead(queues: KindQueues, now: number): TaskRecord | undefined {
  for (const level of queues.levels) {
    const head = (queues.ready.get(level) as MinHeap<TaskRecord>).peek();
    if (head && head.heapKey <= now) return head;
  }
  return undefined;
}

/** Claim order: higher priority first, then earlier `runAt`, then insertion order. */
function claimOrder(a: TaskRecord, b: TaskRecord): number {
  return b.priority - a.priority || compareRecords(a, b);
}

function hasLiveLease(record: TaskRecord, now: number): boolean {
  return leaseIsLive(record.lockedUntil, now);
}

function copyInstance(info: InstanceInfo): InstanceInfo {
  return {
    instanceId: info.instanceId,
    hostname: info.hostname,
    pid: info.pid,
    startedAt: new Date(info.startedAt.getTime()),
    kinds: [...info.kinds],
    inFlight: info.inFlight,
    health: {
      running: info.health.running,
      lastPollAt: info.health.lastPollAt === null ? null : new Date(info.health.lastPollAt.getTime()),
      lastStoreError: info.health.lastStoreError,
      consecutiveStoreErrors: info.health.consecutiveStoreErrors,
    },
  };
}

function assertNoTransaction(tx: unknown): void {
  if (tx !== undefined) {
    throw new InvalidArgumentError('tx', 'the memory store has no transactions; call it without tx');
  }
}
