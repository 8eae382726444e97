import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import type { StoreTask } from '../../core/job.js';
import { consoleLogger, type SchedulerLogger } from '../../core/logger.js';
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
  compareSlugs,
  newIncarnation,
} from '../../core/store/store-rules.js';
import { assertClaimLimits, isLimited, type KindLimits } from '../../core/store/claim-limits.js';
import { assertOneConnection, PostgresConnection } from './connection.js';
import { rowToInstance, type InstanceRow } from './instance-row.js';
import { pendingMigrations, runMigrations, type PendingMigration } from './migrate.js';
import { resolveNames, type PostgresNames } from './names.js';
import { prefixUpperBound } from './slug-range.js';
import type { PostgresStoreOptions } from './options.js';
import { buildQueries, type BoundStatement, type PostgresQueries } from './queries.js';
import { bulkIncarnation, isUniqueViolation, type WrittenRow } from './sql/tasks-bulk.js';
import { beginLimitedClaim } from './sql/claim-limited.js';
import {
  rowToHistory,
  rowToKindCounts,
  rowToRunStats,
  rowToTask,
  type HistoryRow,
  type KindCountsRow,
  type RunStatsRow,
  type TaskRow,
} from './row-mapping.js';
import { WakeListeners } from './wake-listeners.js';

/** Tasks per statement of `createMany`. */
const CREATE_MANY_CHUNK = 2500;

/** History records deleted per statement by `pruneHistory`. */
const PRUNE_BATCH = 5000;

/**
 * A `JobStore` on PostgreSQL: several instances of an application share one table and coordinate
 * only through it.
 *
 * - Claims lock due tasks with `FOR UPDATE SKIP LOCKED` in one statement and lease them; every
 *   comparison of times uses the database clock (`now()`), so clock skew between machines cannot
 *   cause a double run or a missed one.
 * - Outcomes, lease extensions and releases are batched (one statement per batch) and fenced on
 *   the owner and the version the claim returned.
 * - `LISTEN/NOTIFY` wakes idle instances when a task is created or rescheduled sooner; the
 *   notification is sent inside the writing transaction, so a rolled-back write wakes nobody.
 * - `create(task, { tx })` writes inside a transaction of the caller's (a `pg` client or a TypeORM
 *   `EntityManager` / `QueryRunner`): the task exists if and only if that transaction commits.
 *
 * @example
 * ```ts
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.init(); // runs the migrations unless { migrate: false }
 * ```
 */
export class PostgresStore implements JobStore {
  /** The validated and quoted names of the store's tables, indexes and channel. */
  readonly names: PostgresNames;
  private readonly q: PostgresQueries;
  private readonly logger: SchedulerLogger;
  private readonly migrateOnInit: boolean;
  private readonly notify: boolean;
  private readonly channel: string | null;
  private readonly connection: PostgresConnection;
  private readonly wakeListeners: WakeListeners;

  /**
   * @throws InvalidStoreOptionError for an invalid `schema`, `tableName` or `queryTimeoutMs`, or when
   * not exactly one of `pool`, `connectionString` and `dataSource` is given.
   */
  constructor(options: PostgresStoreOptions) {
    assertOneConnection(options);
    this.names = resolveNames(options.schema, options.tableName);
    this.q = buildQueries(this.names);
    this.logger = options.logger ?? consoleLogger;
    this.migrateOnInit = options.migrate ?? true;
    this.notify = options.notify ?? true;
    this.channel = this.notify ? this.names.channel : null;
    this.wakeListeners = new WakeListeners(this.logger);
    if (this.notify) this.onWake = (listener) => this.wakeListeners.add(listener);
    this.connection = new PostgresConnection(options, {
      tag: this.names.tag,
      prepared: options.preparedStatements ?? true,
      logger: this.logger,
    });
  }

  /**
   * Runs the migrations (unless `migrate: false`) and, with `notify`, starts listening for wake-ups
   * (it waits for the first LISTEN attempt, so that nothing created after `init()` goes unheard; a
   * failure there is logged and retried in the background, not thrown).
   *
   * @throws InvalidStoreOptionError with `notify` on a pool of fewer than 2 connections (LISTEN holds one).
   */
  async init(): Promise<void> {
    if (this.connection.closed) throw new StoreClosedError();
    this.connection.db();
    if (this.migrateOnInit) await this.migrate();
    if (!this.notify) return;
    // Listens from `init()` to `close()`, whoever subscribes meanwhile.
    await this.connection.listen({
      channel: this.names.channel,
      listenSql: this.q.listen.text,
      onNotification: (payload) => {
        const ms = Number(payload);
        if (payload !== '' && Number.isFinite(ms)) this.wakeListeners.wake(new Date(ms));
      },
      onListening: () => this.wakeListeners.wake(new Date(0)),
    });
  }

  /**
   * Brings the schema up to date: numbered migrations, each applied once and recorded in
   * `<tableName>_migrations`, under an advisory lock so that instances starting together do not
   * collide. Idempotent. Returns the versions it applied (empty when up to date).
   */
  migrate(): Promise<number[]> {
    return this.connection.withClient((client) => runMigrations(client, this.names, this.q));
  }

  /**
   * The migrations `migrate()` would apply now, each with its SQL script, read without writing
   * anything: for a dry run at deploy time (`nestjs-durable-scheduler migrate --dry-run`).
   */
  pendingMigrations(): Promise<PendingMigration[]> {
    return this.connection.withClient((client) => pendingMigrations(client, this.names, this.q));
  }

  /** Stops listening and ends the pool if the store opened it (never a pool or DataSource you passed in). */
  async close(): Promise<void> {
    if (this.connection.closed) return;
    this.wakeListeners.clear();
    await this.connection.close();
  }

  // ------------------------------------------------------------------ tasks

  /**
   * Creates a task. With `{ tx }` (a `pg` client or a TypeORM `EntityManager` / `QueryRunner` inside
   * a transaction) it is written in that transaction; a duplicate slug does not abort it
   * (`ON CONFLICT DO NOTHING`), it throws here and the caller decides.
   *
   * @throws JobAlreadyScheduledError when the slug exists and `replace` is not set.
   * @throws InvalidPayloadError before anything is written, for a payload JSON cannot represent.
   */
  async create(task: NewTask, options: CreateOptions = {}): Promise<StoreTask> {
    assertNewTask(task);
    const write = options.replace ? this.q.replace : this.q.create;
    const bound = write.with({ task, channel: this.channel, incarnation: newIncarnation() });
    const rows = await this.queryIn<TaskRow>(options.tx, bound);
    if (rows.length === 0) throw new JobAlreadyScheduledError(task.slug);
    return rowToTask(rows[0]);
  }

  /**
   * Creates many tasks: one statement per chunk of {@link CREATE_MANY_CHUNK} (the chunk as one JSON
   * document, one NOTIFY per chunk), all in one transaction (the caller's, with `{ tx }`; none of
   * its own when one statement holds the call), so that the call is all or nothing. `ON CONFLICT`
   * makes `skip` and `replace` exact under races: each slug is created once, and each caller is
   * told which it created, skipped or replaced. With `onConflict: 'error'` (the default) an
   * existing slug fails the insert, which rolls the call back (to a savepoint in a caller's
   * transaction) and throws `JobAlreadyScheduledError` naming it.
   */
  async createMany(tasks: readonly NewTask[], options: CreateManyOptions = {}): Promise<CreatedItem[]> {
    const onConflict = options.onConflict ?? 'error';
    assertDistinctSlugs(tasks);
    for (const task of tasks) assertNewTask(task);
    if (tasks.length === 0) return [];
    const statement = {
      error: this.q.createManyStrict,
      skip: this.q.createManySkip,
      replace: this.q.createManyReplace,
    }[onConflict];
    const incarnationBase = newIncarnation();
    // Every task is checked above, so binding cannot fail: each chunk is bound while the one before
    // it is being written, so that the server's work and ours overlap.
    const chunks: Array<{ from: number; tasks: readonly NewTask[] }> = [];
    for (let from = 0; from < tasks.length; from += CREATE_MANY_CHUNK) {
      chunks.push({ from, tasks: tasks.slice(from, from + CREATE_MANY_CHUNK) });
    }
    const bind = (chunk: (typeof chunks)[number]): BoundStatement =>
      statement.with({
        tasks: chunk.tasks,
        incarnationBase,
        first: chunk.from,
        channel: this.channel,
      });
    const status: Array<CreatedItem['status']> = tasks.map(() => 'created');
    let failedChunk: (typeof chunks)[number] | null = null;
    const write = async (run: <R>(bound: BoundStatement) => Promise<R[]>): Promise<void> => {
      let bound = bind(chunks[0]);
      for (let c = 0; c < chunks.length; c++) {
        const chunk = chunks[c];
        const pending = run<WrittenRow>(bound);
        // Guarded so that a failed write is seen (and its rejection handled) only by the await below.
        pending.catch(() => undefined);
        if (c + 1 < chunks.length) bound = bind(chunks[c + 1]);
        let row: WrittenRow;
        try {
          [row] = await pending;
        } catch (error) {
          if (onConflict === 'error' && isUniqueViolation(error)) failedChunk = chunk;
          throw error;
        }
        if (row.created !== null) {
          const created = new Set(row.created);
          chunk.tasks.forEach((task, i) => {
            if (!created.has(task.slug)) status[chunk.from + i] = 'skipped';
          });
        }
        if (row.replaced !== null && row.replaced.length > 0) {
          const replaced = new Set(row.replaced);
          chunk.tasks.forEach((task, i) => {
            if (replaced.has(task.slug)) status[chunk.from + i] = 'replaced';
          });
        }
      }
    };
    try {
      if (options.tx !== undefined && options.tx !== null) await this.inSavepoint(options.tx, write);
      else if (chunks.length === 1) await write((bound) => this.query(bound));
      else await this.connection.transaction(write);
    } catch (error) {
      if (failedChunk === null) throw error;
      throw new JobAlreadyScheduledError(await this.firstExisting(failedChunk, options.tx));
    }
    return tasks.map((task, i) =>
      status[i] === 'skipped'
        ? { slug: task.slug, status: 'skipped', incarnation: null }
        : { slug: task.slug, status: status[i], incarnation: bulkIncarnation(incarnationBase, i) },
    );
  }

  /** The slug of a chunk that made its insert fail (an existing one), once the write is undone. */
  private async firstExisting(chunk: { tasks: readonly NewTask[] }, tx: unknown): Promise<string> {
    const bound = this.q.firstExisting.with({ slugs: chunk.tasks.map((task) => task.slug) });
    const rows = await this.queryIn<{ slug: string }>(tx, bound);
    // Deleted again since: name the chunk's first slug rather than none.
    return rows[0]?.slug ?? chunk.tasks[0].slug;
  }

  /** Runs `write` in a caller's transaction, undone to a savepoint when it throws. */
  private async inSavepoint(
    tx: unknown,
    write: (run: <R>(bound: BoundStatement) => Promise<R[]>) => Promise<void>,
  ): Promise<void> {
    const run = <R>(bound: BoundStatement): Promise<R[]> => this.connection.queryInTransaction<R>(tx, bound);
    await run(this.q.savepoint.with());
    try {
      await write(run);
      await run(this.q.releaseSavepoint.with());
    } catch (error) {
      await run(this.q.rollbackToSavepoint.with()).catch(() => undefined);
      throw error;
    }
  }

  /** One probe of the claim index per kind; the only query an idle loop makes. */
  async nextRun(kinds: readonly string[]): Promise<Date | null> {
    if (kinds.length === 0) return null;
    const [row] = await this.query<{ next_ms: number | string | null }>(this.q.nextRun.with({ kinds }));
    return row?.next_ms === null || row?.next_ms === undefined ? null : new Date(Number(row.next_ms));
  }

  /**
   * Claims up to `limit` claimable tasks, higher priority first, then earliest. Kinds without
   * limits: one statement (`FOR UPDATE SKIP LOCKED`). Each kind with limits first, in a transaction
   * of its own serialised per kind by a transaction-scoped advisory lock (see `sql/claim-limited.ts`).
   */
  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    assertLeaseMs(request.leaseMs);
    assertClaimLimits(request.limits);
    if (request.kinds.length === 0 || request.limit <= 0) return [];
    const limited = [...new Set(request.kinds)].filter((kind) => isLimited(request.limits?.[kind]));
    const claimed: StoreTask[] = [];
    for (const kind of limited) {
      if (claimed.length >= request.limit) break;
      const limits = request.limits?.[kind] as KindLimits;
      const rows = await this.claimLimited(kind, limits, request, request.limit - claimed.length);
      claimed.push(...rows.map(rowToTask));
    }
    const free = request.kinds.filter((kind) => !limited.includes(kind));
    if (free.length > 0 && claimed.length < request.limit) {
      const rows = await this.query<TaskRow>(
        this.q.claim.with({ ...request, kinds: free, limit: request.limit - claimed.length }),
      );
      claimed.push(...rows.map(rowToTask));
    }
    return claimed.sort(
      (a, b) =>
        b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || compareSlugs(a.slug, b.slug),
    );
  }

  /** One limited kind's claim: lock the kind for this transaction, then claim within its limits. */
  private claimLimited(
    kind: string,
    limits: KindLimits,
    request: ClaimRequest,
    limit: number,
  ): Promise<TaskRow[]> {
    const bound = this.q.claimLimited.with({
      kind,
      limits,
      owner: request.owner,
      leaseMs: request.leaseMs,
      limit,
    });
    // The lock is taken before the claim statement starts: its snapshot, taken after the lock is
    // granted, sees the claims committed by whoever held it before (READ COMMITTED).
    return this.connection.transaction((run) => run<TaskRow>(bound), beginLimitedClaim(this.names, kind));
  }

  /** One statement for the whole batch; returns the slugs still held. */
  async extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    assertLeaseMs(leaseMs);
    if (leases.length === 0) return [];
    const rows = await this.query<{ slug: string }>(this.q.extendLeases.with({ owner, leases, leaseMs }));
    return rows.map((r) => r.slug);
  }

  /**
   * Applies a batch of outcomes in one statement, each only if `owner` still holds the task at
   * that version. Every payload is checked first: an unstorable one refuses the whole batch before
   * anything is written.
   */
  async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    if (outcomes.length === 0) return { applied: [], rejected: [] };
    for (const outcome of outcomes) assertOutcome(outcome);
    if (outcomes.every((o) => o.type === 'delete')) return this.settleDeletes(owner, outcomes);
    const [row] = await this.query<{ rejected: string[] }>(
      this.q.settle.with({ owner, outcomes, channel: this.channel }),
    );
    return rejectedResult(outcomes, row.rejected);
  }

  /** `settle` of a batch that only deletes (one-time tasks that ran): a lighter statement. */
  private async settleDeletes(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    const [row] = await this.query<{ rejected: string[] }>(
      this.q.settleDeletes.with({ owner, leases: outcomes }),
    );
    return rejectedResult(outcomes, row.rejected);
  }

  /** Gives leases back in one statement; the tasks are claimable at once (and idle instances are woken). */
  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    if (leases.length === 0) return;
    await this.query(this.q.release.with({ owner, leases, channel: this.channel }));
  }

  async get(slug: string): Promise<StoreTask | null> {
    const [row] = await this.query<TaskRow>(this.q.get.with({ slug }));
    return row ? rowToTask(row) : null;
  }

  async getSlugs(): Promise<string[]> {
    const rows = await this.query<{ slug: string }>(this.q.getSlugs.with());
    return rows.map((r) => r.slug);
  }

  /**
   * Keyset pagination by slug: each page is one index range scan, however many tasks there are. A
   * page by slug prefix, or in a state whose tasks are few (running, paused, failed), has statements
   * of its own that read only what they list, where the plain ones would walk the primary key past
   * every other task.
   */
  async list(query: ListQuery): Promise<TaskPage> {
    const limit = query.limit;
    assertListLimit(limit);
    assertSlugPrefix(query.slugPrefix);
    const page = { query, rows: limit + 1 };
    const statement =
      query.state !== undefined && query.state !== 'scheduled'
        ? this.q.listSparse
        : query.slugPrefix
          ? prefixUpperBound(query.slugPrefix) === null
            ? this.q.listPrefixOpen
            : this.q.listPrefix
          : query.kind === undefined
            ? this.q.list
            : this.q.listByKind;
    const rows = await this.query<TaskRow>(statement.with(page));
    const tasks = rows.slice(0, limit).map(rowToTask);
    return { tasks, nextCursor: rows.length > limit ? tasks[tasks.length - 1].slug : null };
  }

  /**
   * Changes a task in one statement that locks its row first, so `ifIdle` is checked and the write
   * done with no claim in between. Bumps the version unless only `paused` is given.
   */
  async update(slug: string, patch: TaskPatch, options: UpdateOptions = {}): Promise<UpdateResult> {
    assertTaskPatch(patch);
    const rows = await this.query<TaskRow & { status: 'updated' | 'running' }>(
      this.q.update.with({ slug, patch, ifIdle: options.ifIdle ?? false, channel: this.channel }),
    );
    if (rows.length === 0) return { status: 'not-found' };
    const task = rowToTask(rows[0]);
    return rows[0].status === 'updated' ? { status: 'updated', task } : { status: 'running', task };
  }

  async setPausedByKind(kind: string, paused: boolean): Promise<number> {
    const [row] = await this.query<{ changed: number }>(
      this.q.setPausedByKind.with({ kind, paused, channel: this.channel }),
    );
    return Number(row.changed);
  }

  async delete(slug: string): Promise<boolean> {
    const rows = await this.query(this.q.delete.with({ slug }));
    return rows.length > 0;
  }

  async clear(): Promise<void> {
    await this.query(this.q.clear.with());
  }

  // ------------------------------------------------------------------ wake-ups

  /**
   * Calls `listener` with the time a task becomes due whenever any instance creates, reschedules,
   * resumes or releases one (through NOTIFY), and with the epoch (`new Date(0)`: "look again now")
   * each time the LISTEN connection is (re-)established, since notifications sent while it was down
   * are lost. Listening starts in `init()`. Absent with `notify: false`, so that the engine knows to
   * rely on polling alone.
   */
  readonly onWake?: (listener: (runAt: Date) => void) => () => void;

  // ------------------------------------------------------------------ history

  async appendHistory(records: readonly HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.query(this.q.appendHistory.with({ records }));
  }

  async getHistory(slug: string, limit: number): Promise<HistoryRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.query<HistoryRow>(this.q.getHistory.with({ slug, limit }));
    return rows.map(rowToHistory);
  }

  /** Deletes in batches of a few thousand rows, so that pruning never holds many locks or a long transaction. */
  async pruneHistory(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.query<{ deleted: number }>(
        this.q.pruneHistory.with({ before, batch: PRUNE_BATCH }),
      );
      total += Number(row.deleted);
      if (Number(row.deleted) < PRUNE_BATCH) return total;
    }
  }

  // ------------------------------------------------------------------ the console's reads, instances

  /** One statement over the three partial indexes; see `countByKind` in sql/counts.ts for its plan. */
  async countByKind(): Promise<KindCounts[]> {
    const rows = await this.query<KindCountsRow>(this.q.countByKind.with());
    return rows.map(rowToKindCounts);
  }

  async countHistory(since: Date): Promise<KindRunStats[]> {
    assertDateArgument('since', since);
    const rows = await this.query<RunStatsRow>(this.q.countHistory.with({ since }));
    return rows.map(rowToRunStats);
  }

  async recordInstance(info: InstanceInfo): Promise<void> {
    assertInstanceInfo(info);
    await this.query(this.q.recordInstance.with(info));
  }

  async removeInstance(instanceId: string): Promise<boolean> {
    assertInstanceId(instanceId);
    return (await this.query(this.q.removeInstance.with({ id: instanceId }))).length > 0;
  }

  /** Compared with the database clock, as `lastSeenAt` was stamped with it. */
  async listInstances(maxAgeMs: number): Promise<InstanceRecord[]> {
    assertMaxAgeMs(maxAgeMs);
    const rows = await this.query<InstanceRow>(this.q.listInstances.with({ maxAgeMs }));
    return rows.map(rowToInstance);
  }

  async pruneInstances(maxAgeMs: number): Promise<number> {
    assertMaxAgeMs(maxAgeMs);
    const [row] = await this.query<{ deleted: number }>(this.q.pruneInstances.with({ maxAgeMs }));
    return Number(row.deleted);
  }

  /** A statement on the pool (refused with `StoreClosedError` once closed). */
  private query<R = unknown>(statement: BoundStatement): Promise<R[]> {
    return this.connection.query<R>(statement);
  }

  /** A statement in the caller's transaction when one is given (`tx`), else on the pool. */
  private queryIn<R>(tx: unknown, statement: BoundStatement): Promise<R[]> {
    return tx === undefined || tx === null
      ? this.query<R>(statement)
      : this.connection.queryInTransaction<R>(tx, statement);
  }
}

/** The outcomes' slugs, applied or rejected, from the rejected ones (normally none). */
function rejectedResult(outcomes: readonly TaskOutcome[], rejected: readonly string[]): SettleResult {
  if (rejected.length === 0) return { applied: outcomes.map((o) => o.slug), rejected: [] };
  const refused = new Set(rejected);
  return settleResult(outcomes, (slug) => !refused.has(slug));
}

/** The outcomes' slugs, applied or rejected. */
function settleResult(outcomes: readonly TaskOutcome[], applied: (slug: string) => boolean): SettleResult {
  const result: SettleResult = { applied: [], rejected: [] };
  for (const o of outcomes) (applied(o.slug) ? result.applied : result.rejected).push(o.slug);
  return result;
}
