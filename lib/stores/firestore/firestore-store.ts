import type {
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Query,
  Transaction,
} from '@google-cloud/firestore';

import { SystemClock, type Clock } from '../../core/clock.js';
import { consoleLogger, type SchedulerLogger } from '../../core/logger.js';
import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';
import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import { messages } from '../../core/errors/messages.js';
import { errorMessage } from '../../core/error-text.js';
import type { StoreTask } from '../../core/job.js';
import { stateOf } from '../../core/job-state.js';
import { clonePayload } from '../../core/payload.js';
import type {
  ClaimRequest,
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
  TaskStateFilter,
  UpdateOptions,
  UpdateResult,
} from '../../core/store/job-store.js';
import { sortedByKind } from '../../core/store/counts.js';
import {
  assertDate,
  assertDateArgument,
  assertInstanceId,
  assertInstanceInfo,
  assertLeaseMs,
  assertListLimit,
  assertMaxAgeMs,
  assertSlugPrefix,
  MAX_LIST_LIMIT,
} from '../../core/arguments.js';
import {
  assertNewTask,
  assertOutcome,
  assertTaskPatch,
  compareSlugs,
  copySchedule,
  leaseIsLive,
  newIncarnation,
  patchRedefines,
} from '../../core/store/store-rules.js';
import { hasCode, runContended } from './contention.js';
import {
  encodeDocumentId,
  encodePayload,
  fromDocument,
  isClaimable,
  stateFields,
  TASK_FIELDS,
  toDocument,
} from './document.js';
import { fromHistoryDocument, HISTORY_FIELDS, toHistoryDocument } from './history-document.js';
import { fromInstanceDocument, INSTANCE_FIELDS, toInstanceDocument } from './instance-document.js';

/** Options of {@link FirestoreStore}. */
export interface FirestoreStoreOptions {
  /** The client to use. The store never closes it. */
  firestore: Firestore;
  /** The collection (id or path) holding one document per task. Default `schedules`. */
  collection?: string;
  /** The collection holding execution history. Default `${collection}_history`. */
  historyCollection?: string;
  /** The collection holding the instance registry (one document per running scheduler). Default `${collection}_instances`. */
  instancesCollection?: string;
  /**
   * Where "now" comes from for due times and leases. Firestore queries cannot compare with the
   * server's clock, so every instance's clock must agree to well within a lease (see docs/firestore.md).
   * Default: the system clock.
   */
  clock?: Clock;
  /** Where the store logs documents it cannot read. Default: the console. */
  logger?: SchedulerLogger;
}

/** The most values Firestore takes in one `in` filter. */
const MAX_IN_VALUES = 30;
/** Writes per commit: below Firestore's limit of 500. */
const WRITES_PER_COMMIT = 400;
/** Attempts of a claim before giving up for this poll (the loop polls again). */
const CLAIM_ATTEMPTS = 8;
/** Attempts of any other transaction before its ABORTED error is thrown. */
const TX_ATTEMPTS = 12;
/** After a lost claim race, a claimer picks its tasks at random among this many times its limit. */
const CONTENDED_WINDOW = 8;
/** How long after a lost claim race this store keeps claiming at random from the start. */
const CONTENDED_FOR_MS = 2000;
const NOT_FOUND = 5;
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
  private readonly taskCollection: CollectionReference;
  private readonly historyCollection: CollectionReference;
  private readonly instanceCollection: CollectionReference;
  private closed = false;
  private readonly logger: SchedulerLogger;
  private lastAppendSeq = 0;

  constructor(options: FirestoreStoreOptions) {
    if (!options?.firestore || typeof options.firestore.collection !== 'function') {
      throw new InvalidStoreOptionError(
        'firestore',
        'must be a Firestore instance from @google-cloud/firestore',
      );
    }
    const collection = options.collection ?? 'schedules';
    assertCollectionPath('collection', collection);
    const historyCollection = options.historyCollection ?? `${collection}_history`;
    assertCollectionPath('historyCollection', historyCollection);
    if (historyCollection === collection) {
      throw new InvalidStoreOptionError('historyCollection', 'must differ from collection');
    }
    this.firestore = options.firestore;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? consoleLogger;
    this.taskCollection = this.firestore.collection(collection);
    this.historyCollection = this.firestore.collection(historyCollection);
    const instancesCollection = options.instancesCollection ?? `${collection}_instances`;
    assertCollectionPath('instancesCollection', instancesCollection);
    if (instancesCollection === collection || instancesCollection === historyCollection) {
      throw new InvalidStoreOptionError(
        'instancesCollection',
        'must differ from collection and historyCollection',
      );
    }
    this.instanceCollection = this.firestore.collection(instancesCollection);
  }

  /** Nothing to create: collections appear with their first document; indexes are deployed separately. */
  async init(): Promise<void> {
    if (this.closed) throw new StoreClosedError();
  }

  /** Releases nothing (the Firestore client belongs to the caller); every later call throws `StoreClosedError`. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** The tasks collection; every call reaches the data through it, so a closed store refuses them all. */
  private get tasks(): CollectionReference {
    if (this.closed) throw new StoreClosedError();
    return this.taskCollection;
  }

  private get history(): CollectionReference {
    if (this.closed) throw new StoreClosedError();
    return this.historyCollection;
  }

  private get instances(): CollectionReference {
    if (this.closed) throw new StoreClosedError();
    return this.instanceCollection;
  }

  async create(task: NewTask, options: CreateOptions = {}): Promise<StoreTask> {
    assertNewTask(task);
    const ref = this.ref(task.slug);
    const now = this.clock.now();
    const fresh: StoreTask = {
      slug: task.slug,
      kind: task.kind,
      payload: clonePayload(task.payload),
      runAt: new Date(task.runAt.getTime()),
      version: 1,
      incarnation: newIncarnation(),
      retry: 0,
      result: null,
      failed: false,
      paused: task.paused ?? false,
      schedule: copySchedule(task.schedule),
      lockedBy: null,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    };

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
      const old = snap.exists ? this.decode(snap) : null;
      const replaced: StoreTask = old
        ? { ...fresh, version: old.version + 1, createdAt: old.createdAt }
        : fresh;
      tx.set(ref, toDocument(replaced));
      return replaced;
    });
  }

  async nextRun(kinds: readonly string[]): Promise<Date | null> {
    let earliest: Date | null = null;
    for (const chunk of chunks(unique(kinds), MAX_IN_VALUES)) {
      const snap = await this.tasks
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

  /** Until when (real time, ms) claims spread out at random after a lost race. */
  private contendedUntil = 0;

  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    assertLeaseMs(request.leaseMs);
    const kinds = unique(request.kinds);
    if (kinds.length === 0 || !(request.limit >= 1)) return [];
    const limit = Math.min(Math.floor(request.limit), WRITES_PER_COMMIT);

    return runContended(
      this.firestore,
      CLAIM_ATTEMPTS,
      async (tx, attempt) => {
        const now = this.clock.now();
        // The candidates come from a plain query, outside the transaction: the transaction then
        // reads (and so conflicts on) only the documents it means to claim, not the whole head of
        // the queue. Uncontended, a claim takes the earliest tasks, in runAt order. A lost race
        // means other instances are claiming the same head: for a while (real time: contention is
        // about the network, not the scheduler's clock) this store picks at random among a wider
        // window of due tasks, so that concurrent claimers mostly pick different documents.
        if (attempt > 1) this.contendedUntil = Date.now() + CONTENDED_FOR_MS;
        const spread = attempt > 1 || Date.now() < this.contendedUntil;
        const window = spread ? limit * CONTENDED_WINDOW : limit;
        const due = await this.claimCandidates(kinds, now, window);
        const picked = spread ? sample(due, limit) : due.slice(0, limit);
        if (picked.length === 0) return [];
        const snaps = await tx.getAll(...picked.map((task) => this.ref(task.slug)));
        const lockedUntil = new Date(now.getTime() + request.leaseMs);
        const claimed: StoreTask[] = [];
        for (const snap of snaps) {
          if (!snap.exists) continue;
          const task = this.decode(snap);
          // Re-checked inside the transaction: a task claimed since the query is skipped, and a
          // claim that commits after this read makes this transaction abort (and retry).
          if (!isClaimable(task, now)) continue;
          const next: StoreTask = {
            ...task,
            lockedBy: request.owner,
            lockedUntil,
            version: task.version + 1,
            updatedAt: now,
          };
          tx.update(this.ref(task.slug), stateFields(next));
          claimed.push(next);
        }
        return claimed.sort(byRunAtThenSlug);
      },
      // Every attempt lost a race to other claimers: nothing claimed this time, the loop polls again.
      () => [],
    );
  }

  /** Up to `window` claimable tasks of `kinds` at `now`, earliest runAt first (a plain read). */
  private async claimCandidates(kinds: readonly string[], now: Date, window: number): Promise<StoreTask[]> {
    const candidates: StoreTask[] = [];
    for (const chunk of chunks(kinds, MAX_IN_VALUES)) {
      // Idle tasks and tasks whose lease ran out, each in availableAt order; merged by runAt below.
      for (const leased of [false, true]) {
        const snap = await this.tasks
          .where(TASK_FIELDS.kind, 'in', chunk)
          .where(TASK_FIELDS.leased, '==', leased)
          .where(TASK_FIELDS.availableAt, '<=', now)
          .orderBy(TASK_FIELDS.availableAt)
          .limit(window)
          .get();
        for (const doc of snap.docs) {
          try {
            candidates.push(this.decode(doc));
          } catch (error) {
            // A hand-edited or foreign document must not stop every claim of its kinds.
            await this.park(doc.ref, error, now);
          }
        }
      }
    }
    return candidates
      .filter((task) => isClaimable(task, now))
      .sort(byRunAtThenSlug)
      .slice(0, window);
  }

  async extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    assertLeaseMs(leaseMs);
    const held: string[] = [];
    for (const batch of chunks(leases, WRITES_PER_COMMIT)) {
      const kept = await this.onHeld(owner, batch, (task, now) => ({
        ...task,
        lockedUntil: new Date(now.getTime() + leaseMs),
        updatedAt: now,
      }));
      held.push(...kept.applied);
    }
    return held;
  }

  async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    // Checked before anything is written, so that a bad outcome cannot leave a batch half applied.
    for (const outcome of outcomes) assertOutcome(outcome);
    const result: SettleResult = { applied: [], rejected: [] };
    for (const batch of chunks(outcomes, WRITES_PER_COMMIT)) {
      const part = await this.onHeld(owner, batch, (task, now, outcome) => {
        if (outcome.type === 'delete') return null;
        return {
          ...task,
          runAt: new Date(outcome.runAt.getTime()),
          retry: outcome.retry,
          result: outcome.result,
          failed: outcome.failed,
          payload: outcome.payload === undefined ? task.payload : clonePayload(outcome.payload),
          lockedBy: null,
          lockedUntil: null,
          version: task.version + 1,
          updatedAt: now,
        };
      });
      result.applied.push(...part.applied);
      result.rejected.push(...part.rejected);
    }
    return result;
  }

  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    for (const batch of chunks(leases, WRITES_PER_COMMIT)) {
      await this.onHeld(owner, batch, (task, now) => ({
        ...task,
        lockedBy: null,
        lockedUntil: null,
        updatedAt: now,
      }));
    }
  }

  async get(slug: string): Promise<StoreTask | null> {
    const snap = await this.ref(slug).get();
    return snap.exists ? this.decode(snap) : null;
  }

  async getSlugs(): Promise<string[]> {
    const slugs: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      let query = this.tasks.orderBy(TASK_FIELDS.slug).select(TASK_FIELDS.slug);
      if (cursor !== null) query = query.where(TASK_FIELDS.slug, '>', cursor);
      const snap = await query.limit(MAX_LIST_LIMIT).get();
      for (const doc of snap.docs) slugs.push(doc.get(TASK_FIELDS.slug) as string);
      if (snap.size < MAX_LIST_LIMIT) return slugs;
      cursor = snap.docs[snap.size - 1].get(TASK_FIELDS.slug) as string;
    }
  }

  async list(query: ListQuery): Promise<TaskPage> {
    const { limit } = query;
    assertListLimit(limit);
    assertSlugPrefix(query.slugPrefix);
    const prefix = query.slugPrefix ?? '';
    const base = this.stateQuery(query.kind, query.state);
    const now = this.clock.now();
    const pageSize = Math.min(MAX_LIST_LIMIT, limit + 1);
    const found: StoreTask[] = [];
    let cursor = query.cursor ?? null;
    // Slugs with a prefix are one range of the slug order: from the prefix to the first slug without it.
    let fromPrefix = prefix !== '' && (cursor === null || compareSlugs(cursor, prefix) < 0);
    let pastPrefix = false;
    // Equality filters narrow the scan; what depends on "now" (a live lease) is checked here.
    while (found.length <= limit && !pastPrefix) {
      let page: Query = base.orderBy(TASK_FIELDS.slug);
      if (fromPrefix) page = page.where(TASK_FIELDS.slug, '>=', prefix);
      else if (cursor !== null) page = page.where(TASK_FIELDS.slug, '>', cursor);
      fromPrefix = false;
      const snap = await page.limit(pageSize).get();
      for (const doc of snap.docs) {
        if (!(doc.get(TASK_FIELDS.slug) as string).startsWith(prefix)) {
          pastPrefix = true;
          break;
        }
        const task = this.decode(doc);
        if (query.state === undefined || stateOf(task, now) === query.state) found.push(task);
        if (found.length > limit) break;
      }
      if (snap.size < pageSize) break;
      cursor = snap.docs[snap.size - 1].get(TASK_FIELDS.slug) as string;
    }
    const tasks = found.slice(0, limit);
    return { tasks, nextCursor: found.length > limit ? tasks[tasks.length - 1].slug : null };
  }

  async update(slug: string, patch: TaskPatch, options: UpdateOptions = {}): Promise<UpdateResult> {
    assertTaskPatch(patch);
    const ref = this.ref(slug);
    return runContended(this.firestore, TX_ATTEMPTS, async (tx): Promise<UpdateResult> => {
      const snap = await tx.get(ref);
      if (!snap.exists) return { status: 'not-found' };
      const task = this.decode(snap);
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
          this.tasks
            .where(TASK_FIELDS.kind, '==', kind)
            .where(TASK_FIELDS.paused, '==', !paused)
            .limit(WRITES_PER_COMMIT),
        );
        const now = this.clock.now();
        for (const doc of snap.docs) {
          const task = this.decode(doc);
          tx.update(doc.ref, stateFields({ ...task, paused, updatedAt: now }));
        }
        return snap.size;
      });
      changed += count;
      if (count < WRITES_PER_COMMIT) return changed;
    }
  }

  async delete(slug: string): Promise<boolean> {
    try {
      await this.ref(slug).delete({ exists: true });
      return true;
    } catch (err) {
      if (hasCode(err, NOT_FOUND)) return false;
      throw err;
    }
  }

  async clear(): Promise<void> {
    await this.deleteAll(this.tasks);
    await this.deleteAll(this.history);
  }

  async appendHistory(records: readonly HistoryRecord[]): Promise<void> {
    for (const part of chunks(records, WRITES_PER_COMMIT)) {
      const batch = this.firestore.batch();
      for (const record of part)
        batch.create(this.history.doc(), toHistoryDocument(record, this.nextAppendSeq()));
      await batch.commit();
    }
  }

  async getHistory(slug: string, limit: number): Promise<HistoryRecord[]> {
    if (!(limit >= 1)) return [];
    const snap = await this.history
      .where(HISTORY_FIELDS.slug, '==', slug)
      .orderBy(HISTORY_FIELDS.finishedAt, 'desc')
      .orderBy(HISTORY_FIELDS.appendSeq, 'desc')
      .limit(Math.floor(limit))
      .get();
    return snap.docs.map((doc) => fromHistoryDocument(doc.data()));
  }

  async pruneHistory(before: Date): Promise<number> {
    assertDate(before, 'before');
    return this.deleteMatching(this.history.where(HISTORY_FIELDS.finishedAt, '<', before));
  }

  private ref(slug: string): DocumentReference {
    return this.tasks.doc(encodeDocumentId(slug));
  }

  private decode(snap: DocumentSnapshot): StoreTask {
    return fromDocument(snap.data() ?? {});
  }

  /**
   * Applies `change` to each task `owner` holds at the given version, in one transaction (the
   * fencing check and the write are atomic). `change` returns the task as it will be, or null to
   * delete it. Tasks not held are reported as rejected.
   */
  private onHeld<L extends LeaseRef>(
    owner: string,
    leases: readonly L[],
    change: (task: StoreTask, now: Date, lease: L) => StoreTask | null,
  ): Promise<SettleResult> {
    if (leases.length === 0) return Promise.resolve({ applied: [], rejected: [] });
    const refs = new Map<string, DocumentReference>();
    for (const lease of leases) refs.set(lease.slug, this.ref(lease.slug));
    return runContended(this.firestore, TX_ATTEMPTS, async (tx) => {
      const snaps = await tx.getAll(...refs.values());
      const current = new Map<string, StoreTask | null>();
      [...refs.keys()].forEach((slug, i) =>
        current.set(slug, snaps[i].exists ? this.decode(snaps[i]) : null),
      );
      const now = this.clock.now();
      const result: SettleResult = { applied: [], rejected: [] };
      for (const lease of leases) {
        const task = current.get(lease.slug) ?? null;
        if (task === null || task.lockedBy !== owner || task.version !== lease.version) {
          result.rejected.push(lease.slug);
          continue;
        }
        const next = change(task, now, lease);
        const ref = refs.get(lease.slug) as DocumentReference;
        if (next === null) {
          tx.delete(ref);
          current.set(lease.slug, null);
        } else {
          const payload = next.payload === task.payload ? {} : { payload: encodePayload(next.payload) };
          tx.update(ref, { ...stateFields(next), ...payload });
          current.set(lease.slug, next);
        }
        result.applied.push(lease.slug);
      }
      return result;
    });
  }

  /** Marks a document that cannot be read as a task failed (never claimed again), with the reason. */
  private async park(ref: DocumentReference, error: unknown, now: Date): Promise<void> {
    const reason = messages.runFailures.unreadableTask(errorMessage(error));
    try {
      await ref.update({ failed: true, availableAt: null, result: reason, updatedAt: now });
      this.logger.error(`Task document ${ref.id}: ${reason}`);
    } catch (parkError) {
      this.logger.error(
        `Task document ${ref.id} cannot be read (${reason}) nor marked failed: ${errorMessage(parkError)}`,
      );
    }
  }

  /** A query narrowed by equality filters to the tasks that can be in `state` (the rest is checked per task). */
  private stateQuery(kind: string | undefined, state: TaskStateFilter | undefined): Query {
    let query: Query = this.tasks;
    if (kind !== undefined) query = query.where(TASK_FIELDS.kind, '==', kind);
    switch (state) {
      case 'paused':
        return query.where(TASK_FIELDS.paused, '==', true);
      case 'failed':
        return query.where(TASK_FIELDS.failed, '==', true).where(TASK_FIELDS.paused, '==', false);
      case 'scheduled':
        return query.where(TASK_FIELDS.failed, '==', false).where(TASK_FIELDS.paused, '==', false);
      case 'running':
        return query.where(TASK_FIELDS.leased, '==', true);
      default:
        return query;
    }
  }

  private async deleteAll(collection: CollectionReference): Promise<void> {
    for (;;) {
      const snap = await collection.select().limit(WRITES_PER_COMMIT).get();
      if (snap.empty) return;
      const batch = this.firestore.batch();
      for (const doc of snap.docs) batch.delete(doc.ref);
      await batch.commit();
    }
  }

  /** Increasing within this process, and with wall time across processes: a tie-break only. */
  private nextAppendSeq(): number {
    this.lastAppendSeq = Math.max(Date.now() * 1000, this.lastAppendSeq + 1);
    return this.lastAppendSeq;
  }

  // ------------------------------------------------------------------ the console's reads, instances

  /**
   * Per kind: the kinds come from a skip scan of the kind index (one single-document read per kind),
   * then three `count()` aggregations (scheduled, failed, paused; one read per 1000 index entries)
   * and a read of the kind's leased tasks (few), whose live leases make them "running".
   */
  async countByKind(): Promise<KindCounts[]> {
    const kinds = await this.distinctKinds(this.tasks, TASK_FIELDS.kind);
    const now = this.clock.now();
    return sortedByKind(await Promise.all(kinds.map((kind) => this.countKind(kind, now))));
  }

  /**
   * Per kind: the kinds that have history come from a skip scan of the history collection's kind
   * index, then one `count()` aggregation per kind and outcome over the window: what it reads does
   * not grow with the number of executions.
   */
  async countHistory(since: Date): Promise<KindRunStats[]> {
    assertDateArgument('since', since);
    const kinds = await this.distinctKinds(this.history, HISTORY_FIELDS.kind);
    const stats = await Promise.all(
      kinds.map(async (kind): Promise<KindRunStats> => {
        const count = (outcome: string): Promise<number> =>
          this.count(
            this.history
              .where(HISTORY_FIELDS.kind, '==', kind)
              .where(HISTORY_FIELDS.outcome, '==', outcome)
              .where(HISTORY_FIELDS.finishedAt, '>=', since),
          );
        const [succeeded, failed, leaseLost] = await Promise.all([
          count('succeeded'),
          count('failed'),
          count('lease-lost'),
        ]);
        return { kind, succeeded, failed, leaseLost };
      }),
    );
    return sortedByKind(stats.filter((s) => s.succeeded + s.failed + s.leaseLost > 0));
  }

  async recordInstance(info: InstanceInfo): Promise<void> {
    assertInstanceInfo(info);
    await this.instanceRef(info.instanceId).set(toInstanceDocument(info, this.clock.now()));
  }

  async removeInstance(instanceId: string): Promise<boolean> {
    assertInstanceId(instanceId);
    try {
      await this.instanceRef(instanceId).delete({ exists: true });
      return true;
    } catch (err) {
      if (hasCode(err, NOT_FOUND)) return false;
      throw err;
    }
  }

  async listInstances(maxAgeMs: number): Promise<InstanceRecord[]> {
    assertMaxAgeMs(maxAgeMs);
    const since = new Date(this.clock.now().getTime() - maxAgeMs);
    const snap = await this.instances.where(INSTANCE_FIELDS.lastSeenAt, '>=', since).get();
    return snap.docs
      .map((doc) => fromInstanceDocument(doc.data()))
      .sort((a, b) => compareSlugs(a.instanceId, b.instanceId));
  }

  async pruneInstances(maxAgeMs: number): Promise<number> {
    assertMaxAgeMs(maxAgeMs);
    const before = new Date(this.clock.now().getTime() - maxAgeMs);
    return this.deleteMatching(this.instances.where(INSTANCE_FIELDS.lastSeenAt, '<', before));
  }

  /** Deletes what a query matches, a commit of a few hundred documents at a time; returns how many. */
  private async deleteMatching(query: Query): Promise<number> {
    let removed = 0;
    for (;;) {
      const snap = await query.select().limit(WRITES_PER_COMMIT).get();
      if (snap.empty) return removed;
      const batch = this.firestore.batch();
      for (const doc of snap.docs) batch.delete(doc.ref);
      await batch.commit();
      removed += snap.size;
    }
  }

  private instanceRef(instanceId: string): DocumentReference {
    return this.instances.doc(encodeDocumentId(instanceId));
  }

  /** Every distinct value of `field` in `collection`, in order: one single-document read per value. */
  private async distinctKinds(collection: CollectionReference, field: string): Promise<string[]> {
    const kinds: string[] = [];
    for (;;) {
      let query: Query = collection.orderBy(field).select(field).limit(1);
      if (kinds.length > 0) query = query.where(field, '>', kinds[kinds.length - 1]);
      const snap = await query.get();
      if (snap.empty) return kinds;
      kinds.push(snap.docs[0].get(field) as string);
    }
  }

  private async countKind(kind: string, now: Date): Promise<KindCounts> {
    const ofKind = this.tasks.where(TASK_FIELDS.kind, '==', kind);
    const [paused, failed, scheduled, leased] = await Promise.all([
      this.count(ofKind.where(TASK_FIELDS.paused, '==', true)),
      this.count(ofKind.where(TASK_FIELDS.failed, '==', true).where(TASK_FIELDS.paused, '==', false)),
      this.count(ofKind.where(TASK_FIELDS.failed, '==', false).where(TASK_FIELDS.paused, '==', false)),
      ofKind.where(TASK_FIELDS.leased, '==', true).get(),
    ]);
    const counts: KindCounts = { kind, scheduled, running: 0, failed, paused };
    for (const doc of leased.docs) {
      const task = this.decode(doc);
      if (!leaseIsLive(task.lockedUntil, now)) continue;
      // A task under a live lease is running whatever else holds: move it out of its other state.
      counts.running += 1;
      if (task.paused) counts.paused -= 1;
      else if (task.failed) counts.failed -= 1;
      else counts.scheduled -= 1;
    }
    return counts;
  }

  private async count(query: Query): Promise<number> {
    const snap = await query.count().get();
    return snap.data().count;
  }
}

function isWriteContext(tx: unknown): tx is WriteContext {
  return typeof tx === 'object' && tx !== null && typeof (tx as { create?: unknown }).create === 'function';
}

function assertCollectionPath(option: string, path: string): void {
  const segments = typeof path === 'string' ? path.split('/') : [];
  const valid =
    segments.length % 2 === 1 &&
    segments.every((s) => s.length > 0 && s !== '.' && s !== '..' && !/^__.*__$/s.test(s));
  if (!valid) {
    throw new InvalidStoreOptionError(option, `"${String(path)}" is not a Firestore collection id or path`);
  }
}

function byRunAtThenSlug(a: StoreTask, b: StoreTask): number {
  return a.runAt.getTime() - b.runAt.getTime() || compareSlugs(a.slug, b.slug);
}

/** `count` items of `items` at random, in their original order. */
function sample<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const indexes = items.map((_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Firestore's string order (UTF-8 bytes, which is code point order). */
