import type { Firestore, Transaction } from '@google-cloud/firestore';

import { SystemClock, type Clock } from '../../core/clock.js';
import { consoleLogger } from '../../core/logger.js';
import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import type { StoreTask } from '../../core/job.js';
import { clonePayload } from '../../core/payload.js';
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
import {
  assertDate,
  assertDateArgument,
  assertInstanceId,
  assertInstanceInfo,
  assertLeaseMs,
  assertListLimit,
  assertMaxAgeMs,
  assertSlugPrefix,
} from '../../core/arguments.js';
import {
  assertDistinctSlugs,
  assertNewTask,
  assertOutcome,
  assertTaskPatch,
  copySchedule,
  freshState,
  leaseIsLive,
  patchRedefines,
} from '../../core/store/store-rules.js';
import { createManyTasks } from './bulk-create.js';
import { chunks, deleteMatching, MAX_IN_VALUES, unique, WRITES_PER_COMMIT } from './batches.js';
import { assertClaimLimits } from '../../core/store/claim-limits.js';
import { ClaimStrategy } from './claim-strategy.js';
import { HeldTasks } from './held-tasks.js';
import { decodeTask, deleteIfExists, StoreCollections, type StoreContext } from './collections.js';
import * as consoleReads from './console-reads.js';
import { hasCode, runContended, TX_ATTEMPTS } from './contention.js';
import { stateFields, TASK_FIELDS, toDocument } from './document.js';
import { fromHistoryDocument, HISTORY_FIELDS, toHistoryDocument } from './history-document.js';
import { resolveCollections, type FirestoreStoreOptions } from './options.js';
import { allSlugs, listPage } from './task-pages.js';

const ALREADY_EXISTS = 6;
/** The smallest Firestore timestamp (0001-01-01): a range bound that matches every time but not null. */
const MIN_TIME = new Date('0001-01-01T00:00:00Z');

type WriteContext = Pick<Transaction, 'create'>;

/**
 * Tasks in Cloud Firestore: one document per task (id: the slug, encoded when Firestore forbids it),
 * history in a second collection. Claims are transactions that query the earliest claimable tasks,
 * re-check them and write the lease; every write about a claimed task runs in a transaction that
 * checks owner and version first (fencing).
 *
 * Deploy the indexes in `firestore.indexes.json` (docs/firestore.md) before use: the emulator does
 * not need them, real Firestore refuses the queries without them.
 *
 * There is no `onWake`: instances see each other's new tasks at their next poll (heartbeat), since
 * a listener on the collection would stream every claim and settle to every instance.
 */
export class FirestoreStore implements JobStore {
  private readonly firestore: Firestore;
  private readonly clock: Clock;
  private readonly collections: StoreCollections;
  private readonly context: StoreContext;
  private readonly claims: ClaimStrategy;
  private readonly held: HeldTasks;
  private lastAppendSeq = 0;

  constructor(options: FirestoreStoreOptions) {
    const paths = resolveCollections(options);
    this.firestore = options.firestore;
    this.clock = options.clock ?? new SystemClock();
    this.collections = new StoreCollections(this.firestore, paths);
    this.context = { firestore: this.firestore, collections: this.collections, clock: this.clock };
    this.claims = new ClaimStrategy({ ...this.context, logger: options.logger ?? consoleLogger });
    this.held = new HeldTasks(this.context);
  }

  /** Nothing to create: collections appear with their first document; indexes are deployed separately. */
  async init(): Promise<void> {
    if (this.collections.closed) throw new StoreClosedError();
  }

  /** Releases nothing (the Firestore client belongs to the caller); every later call throws `StoreClosedError`. */
  async close(): Promise<void> {
    this.collections.close();
  }

  async create(task: NewTask, options: CreateOptions = {}): Promise<StoreTask> {
    assertNewTask(task);
    const ref = this.collections.taskRef(task.slug);
    const fresh = this.freshTask(task, this.clock.now());

    if (options.tx !== undefined) {
      if (!isWriteContext(options.tx)) {
        throw new InvalidArgumentError(
          'tx',
          'must be a Firestore Transaction or WriteBatch of the same database',
        );
      }
      if (options.replace) {
        throw new InvalidArgumentError(
          'tx',
          'replace cannot be combined with a caller transaction in Firestore',
        );
      }
      // The caller's commit fails with ALREADY_EXISTS (code 6) if the slug is taken.
      options.tx.create(ref, toDocument(fresh));
      return fresh;
    }

    if (!options.replace) {
      try {
        await ref.create(toDocument(fresh));
      } catch (err) {
        if (hasCode(err, ALREADY_EXISTS)) throw new JobAlreadyScheduledError(task.slug);
        throw err;
      }
      return fresh;
    }

    return runContended(this.firestore, TX_ATTEMPTS, async (tx) => {
      const snap = await tx.get(ref);
      const old = snap.exists ? decodeTask(snap) : null;
      const replaced: StoreTask = old
        ? { ...fresh, version: old.version + 1, createdAt: old.createdAt }
        : fresh;
      tx.set(ref, toDocument(replaced));
      return replaced;
    });
  }

  /**
   * Creates many tasks in batched commits, exact under races (see `bulk-create.ts`). A caller's
   * transaction is not supported here (a Firestore transaction cannot tell which documents exist
   * without reading them, and reads must come before its writes): use `create` with `{ tx }`.
   */
  async createMany(tasks: readonly NewTask[], options: CreateManyOptions = {}): Promise<CreatedItem[]> {
    if (options.tx !== undefined) {
      throw new InvalidArgumentError(
        'tx',
        'createMany takes no caller transaction in Firestore; use create with { tx }',
      );
    }
    assertDistinctSlugs(tasks);
    for (const task of tasks) assertNewTask(task);
    if (tasks.length === 0) return [];
    const now = this.clock.now();
    return createManyTasks(this.context, tasks, options.onConflict ?? 'error', (task) =>
      this.freshTask(task, now),
    );
  }

  /** A new task as `create` writes it: version 1, a new incarnation, no lease. */
  private freshTask(task: NewTask, now: Date): StoreTask {
    const { traceContext, concurrencyKey, ...state } = freshState(task);
    const fresh: StoreTask = {
      slug: task.slug,
      kind: task.kind,
      runAt: new Date(task.runAt.getTime()),
      version: 1,
      createdAt: now,
      updatedAt: now,
      ...state,
    };
    if (traceContext !== null) fresh.traceContext = traceContext;
    if (concurrencyKey !== null) fresh.concurrencyKey = concurrencyKey;
    return fresh;
  }

  async nextRun(kinds: readonly string[]): Promise<Date | null> {
    let earliest: Date | null = null;
    for (const chunk of chunks(unique(kinds), MAX_IN_VALUES)) {
      const snap = await this.collections.tasks
        .where(TASK_FIELDS.kind, 'in', chunk)
        .where(TASK_FIELDS.availableAt, '>=', MIN_TIME)
        .orderBy(TASK_FIELDS.availableAt)
        .limit(1)
        .get();
      const first = snap.docs[0]?.get(TASK_FIELDS.availableAt) as { toDate(): Date } | undefined;
      const at = first?.toDate() ?? null;
      if (at && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /**
   * A transaction that reads only the tasks it means to claim; after a lost race, picks spread out at
   * random over a wider window for a while (see `claim-strategy.ts`).
   */
  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    assertLeaseMs(request.leaseMs);
    assertClaimLimits(request.limits);
    return this.claims.claim(request);
  }

  async extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    assertLeaseMs(leaseMs);
    return this.held.extendLeases(owner, leases, leaseMs);
  }

  async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    // Checked before anything is written, so that a bad outcome cannot leave a batch half applied.
    for (const outcome of outcomes) assertOutcome(outcome);
    return this.held.settle(owner, outcomes);
  }

  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    await this.held.release(owner, leases);
  }

  async get(slug: string): Promise<StoreTask | null> {
    const snap = await this.collections.taskRef(slug).get();
    return snap.exists ? decodeTask(snap) : null;
  }

  async getSlugs(): Promise<string[]> {
    return allSlugs(this.collections);
  }

  async list(query: ListQuery): Promise<TaskPage> {
    assertListLimit(query.limit);
    assertSlugPrefix(query.slugPrefix);
    return listPage(this.context, query);
  }

  async update(slug: string, patch: TaskPatch, options: UpdateOptions = {}): Promise<UpdateResult> {
    assertTaskPatch(patch);
    const ref = this.collections.taskRef(slug);
    return runContended(this.firestore, TX_ATTEMPTS, async (tx): Promise<UpdateResult> => {
      const snap = await tx.get(ref);
      if (!snap.exists) return { status: 'not-found' };
      const task = decodeTask(snap);
      const now = this.clock.now();
      if (options.ifIdle && leaseIsLive(task.lockedUntil, now)) return { status: 'running', task };
      const next: StoreTask = {
        ...task,
        runAt: patch.runAt === undefined ? task.runAt : new Date(patch.runAt.getTime()),
        schedule: patch.schedule === undefined ? task.schedule : copySchedule(patch.schedule),
        payload: patch.payload === undefined ? task.payload : clonePayload(patch.payload),
        paused: patch.paused ?? task.paused,
        failed: patch.failed ?? task.failed,
        retry: patch.retry ?? task.retry,
        result: patch.result === undefined ? task.result : patch.result,
        version: patchRedefines(patch) ? task.version + 1 : task.version,
        updatedAt: now,
      };
      tx.set(ref, toDocument(next));
      return { status: 'updated', task: next };
    });
  }

  async setPausedByKind(kind: string, paused: boolean): Promise<number> {
    let changed = 0;
    for (;;) {
      const count = await runContended(this.firestore, TX_ATTEMPTS, async (tx) => {
        const snap = await tx.get(
          this.collections.tasks
            .where(TASK_FIELDS.kind, '==', kind)
            .where(TASK_FIELDS.paused, '==', !paused)
            .limit(WRITES_PER_COMMIT),
        );
        const now = this.clock.now();
        for (const doc of snap.docs) {
          const task = decodeTask(doc);
          tx.update(doc.ref, stateFields({ ...task, paused, updatedAt: now }));
        }
        return snap.size;
      });
      changed += count;
      if (count < WRITES_PER_COMMIT) return changed;
    }
  }

  async delete(slug: string): Promise<boolean> {
    return deleteIfExists(this.collections.taskRef(slug));
  }

  async clear(): Promise<void> {
    await deleteMatching(this.firestore, this.collections.tasks);
    await deleteMatching(this.firestore, this.collections.history);
    await deleteMatching(this.firestore, this.collections.limits);
  }

  async appendHistory(records: readonly HistoryRecord[]): Promise<void> {
    for (const part of chunks(records, WRITES_PER_COMMIT)) {
      const batch = this.firestore.batch();
      for (const record of part)
        batch.create(this.collections.history.doc(), toHistoryDocument(record, this.nextAppendSeq()));
      await batch.commit();
    }
  }

  async getHistory(slug: string, limit: number): Promise<HistoryRecord[]> {
    if (!(limit >= 1)) return [];
    const snap = await this.collections.history
      .where(HISTORY_FIELDS.slug, '==', slug)
      .orderBy(HISTORY_FIELDS.finishedAt, 'desc')
      .orderBy(HISTORY_FIELDS.appendSeq, 'desc')
      .limit(Math.floor(limit))
      .get();
    return snap.docs.map((doc) => fromHistoryDocument(doc.data()));
  }

  async pruneHistory(before: Date): Promise<number> {
    assertDate(before, 'before');
    return deleteMatching(
      this.firestore,
      this.collections.history.where(HISTORY_FIELDS.finishedAt, '<', before),
    );
  }

  /** Increasing within this process, and with wall time across processes: a tie-break only. */
  private nextAppendSeq(): number {
    this.lastAppendSeq = Math.max(Date.now() * 1000, this.lastAppendSeq + 1);
    return this.lastAppendSeq;
  }

  // ------------------------------------------------------------------ the console's reads, instances

  async countByKind(): Promise<KindCounts[]> {
    return consoleReads.countTasksByKind(this.context);
  }

  async countHistory(since: Date): Promise<KindRunStats[]> {
    assertDateArgument('since', since);
    return consoleReads.countRunsByKind(this.context, since);
  }

  async recordInstance(info: InstanceInfo): Promise<void> {
    assertInstanceInfo(info);
    await consoleReads.recordInstance(this.context, info);
  }

  async removeInstance(instanceId: string): Promise<boolean> {
    assertInstanceId(instanceId);
    return consoleReads.removeInstance(this.context, instanceId);
  }

  async listInstances(maxAgeMs: number): Promise<InstanceRecord[]> {
    assertMaxAgeMs(maxAgeMs);
    return consoleReads.listInstances(this.context, maxAgeMs);
  }

  async pruneInstances(maxAgeMs: number): Promise<number> {
    assertMaxAgeMs(maxAgeMs);
    return consoleReads.pruneInstances(this.context, maxAgeMs);
  }
}

function isWriteContext(tx: unknown): tx is WriteContext {
  return typeof tx === 'object' && tx !== null && typeof (tx as { create?: unknown }).create === 'function';
}
