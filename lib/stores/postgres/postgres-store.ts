import pg from 'pg';

import { InvalidArgumentError } from '../../core/errors/invalid-argument.error.js';
import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';
import { StoreClosedError } from '../../core/errors/store-closed.error.js';
import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import type { StoreTask } from '../../core/job.js';
import { consoleLogger, type SchedulerLogger } from '../../core/logger.js';
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
  assertNewTask,
  assertOutcome,
  assertTaskPatch,
  compareSlugs,
  newIncarnation,
  patchRedefines,
} from '../../core/store/store-rules.js';
import { instanceParams, rowToInstance, type InstanceRow } from './instance-row.js';
import { NotificationListener } from './listener.js';
import { runMigrations } from './migrate.js';
import { resolveNames, type PostgresNames } from './names.js';
import { prefixUpperBound } from './slug-range.js';
import type { PostgresStoreOptions, TypeOrmDataSourceLike } from './options.js';
import { buildQueries, type PostgresQueries, type SqlStatement } from './queries.js';
import {
  encodePayload,
  rowToHistory,
  rowToTask,
  storableText,
  timestampParam,
  type EncodedPayload,
  type HistoryRow,
  type TaskRow,
} from './row-mapping.js';

/** History records deleted per statement by `pruneHistory`. */
const PRUNE_BATCH = 5000;

/** Default of `queryTimeoutMs`. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

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
  private readonly queries: PostgresQueries;
  private readonly logger: SchedulerLogger;
  private readonly migrateOnInit: boolean;
  private readonly notify: boolean;
  private readonly prepared: boolean;
  private readonly queryTimeoutMs: number;
  private readonly channelParam: string | null;
  private readonly ownsPool: boolean;
  private readonly dataSource: TypeOrmDataSourceLike | null;
  private pool: pg.Pool | null;
  private listener: NotificationListener | null = null;
  private readonly wakeListeners = new Set<(runAt: Date) => void>();
  private closed = false;

  /**
   * @throws InvalidStoreOptionError for an invalid `schema` or `tableName`, or when not exactly one
   * of `pool`, `connectionString` and `dataSource` is given.
   */
  constructor(options: PostgresStoreOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidStoreOptionError('options', 'pass { pool }, { connectionString } or { dataSource }');
    }
    const given = (['pool', 'connectionString', 'dataSource'] as const).filter(
      (key) => (options as unknown as Record<string, unknown>)[key] !== undefined,
    );
    if (given.length !== 1) {
      throw new InvalidStoreOptionError(
        given.length === 0 ? 'pool' : given.join(' and '),
        'pass exactly one of pool, connectionString and dataSource',
      );
    }
    this.names = resolveNames(options.schema, options.tableName);
    this.queries = buildQueries(this.names);
    this.logger = options.logger ?? consoleLogger;
    this.migrateOnInit = options.migrate ?? true;
    this.notify = options.notify ?? true;
    this.prepared = options.preparedStatements ?? true;
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    if (!(typeof queryTimeoutMs === 'number' && Number.isFinite(queryTimeoutMs) && queryTimeoutMs >= 0)) {
      throw new InvalidStoreOptionError('queryTimeoutMs', 'must be a number of milliseconds >= 0');
    }
    this.queryTimeoutMs = queryTimeoutMs;
    this.channelParam = this.notify ? this.names.channel : null;
    if (this.notify) {
      this.onWake = (listener) => {
        this.wakeListeners.add(listener);
        return () => {
          this.wakeListeners.delete(listener);
        };
      };
    }

    if ('pool' in options && options.pool !== undefined) {
      if (typeof (options.pool as { query?: unknown }).query !== 'function') {
        throw new InvalidStoreOptionError('pool', 'is not a pg Pool');
      }
      this.pool = options.pool;
      this.ownsPool = false;
      this.dataSource = null;
    } else if ('connectionString' in options && options.connectionString !== undefined) {
      if (typeof options.connectionString !== 'string' || options.connectionString === '') {
        throw new InvalidStoreOptionError('connectionString', 'is not a non-empty string');
      }
      // Idle connections are kept for 5 minutes (pg's default is 10 s): an idle loop polling every few
      // seconds would otherwise pay a new connection (and re-prepare its statements) on every poll.
      this.pool = new pg.Pool({
        keepAlive: true,
        idleTimeoutMillis: 300_000,
        connectionTimeoutMillis: 10_000,
        ...options.poolConfig,
        connectionString: options.connectionString,
      });
      // An idle client that loses its connection emits on the pool; without a listener that would crash the process.
      this.pool.on('error', (error) =>
        this.logger.warn(`PostgreSQL pool: idle connection lost: ${error.message}`),
      );
      this.ownsPool = true;
      this.dataSource = null;
    } else {
      const dataSource = (options as { dataSource: TypeOrmDataSourceLike }).dataSource;
      if (dataSource === null || typeof dataSource !== 'object' || !('driver' in dataSource)) {
        throw new InvalidStoreOptionError('dataSource', 'is not a TypeORM DataSource');
      }
      if (dataSource.options?.type !== 'postgres') {
        throw new InvalidStoreOptionError(
          'dataSource',
          `is of type "${dataSource.options?.type}", not "postgres"`,
        );
      }
      this.pool = null;
      this.ownsPool = false;
      this.dataSource = dataSource;
    }
  }

  /**
   * Runs the migrations (unless `migrate: false`) and, with `notify`, starts listening for wake-ups
   * (it waits for the first LISTEN attempt, so that nothing created after `init()` goes unheard; a
   * failure there is logged and retried in the background, not thrown).
   *
   * @throws InvalidStoreOptionError with `notify` on a pool of fewer than 2 connections (LISTEN holds one).
   */
  async init(): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    this.db();
    if (this.migrateOnInit) await this.migrate();
    await this.startListening();
  }

  /**
   * Brings the schema up to date: numbered migrations, each applied once and recorded in
   * `<tableName>_migrations`, under an advisory lock so that instances starting together do not
   * collide. Idempotent. Returns the versions it applied (empty when up to date).
   */
  async migrate(): Promise<number[]> {
    if (this.closed) throw new StoreClosedError();
    const client = await this.db().connect();
    try {
      const applied = await runMigrations(client, this.names, this.queries);
      client.release();
      return applied;
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  /** Stops listening and ends the pool if the store opened it (never a pool or DataSource you passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeListeners.clear();
    await this.listener?.stop();
    this.listener = null;
    if (this.ownsPool && this.pool) await this.pool.end();
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
    const payload = encodePayload(task.payload);
    const values = [
      task.slug,
      task.kind,
      payload.json,
      payload.bytes,
      timestampParam('runAt', task.runAt),
      task.schedule ? JSON.stringify(task.schedule) : null,
      task.paused ?? false,
      this.channelParam,
      newIncarnation(),
    ];
    const statement = options.replace ? this.queries.replace : this.queries.create;
    const rows =
      options.tx === undefined || options.tx === null
        ? await this.query<TaskRow>(statement, values)
        : await this.queryInTransaction<TaskRow>(options.tx, statement, values);
    if (rows.length === 0) throw new JobAlreadyScheduledError(task.slug);
    return rowToTask(rows[0]);
  }

  /** One probe of the claim index per kind; the only query an idle loop makes. */
  async nextRun(kinds: readonly string[]): Promise<Date | null> {
    if (kinds.length === 0) return null;
    const [row] = await this.query<{ next_ms: number | string | null }>(this.queries.nextRun, [[...kinds]]);
    return row?.next_ms === null || row?.next_ms === undefined ? null : new Date(Number(row.next_ms));
  }

  /** Claims up to `limit` claimable tasks in one statement (`FOR UPDATE SKIP LOCKED`), earliest first. */
  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    assertLeaseMs(request.leaseMs);
    if (request.kinds.length === 0 || request.limit <= 0) return [];
    const rows = await this.query<TaskRow>(this.queries.claim, [
      [...request.kinds],
      request.owner,
      request.leaseMs,
      Math.floor(request.limit),
    ]);
    return rows
      .map(rowToTask)
      .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || compareSlugs(a.slug, b.slug));
  }

  /** One statement for the whole batch; returns the slugs still held. */
  async extendLease(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    assertLeaseMs(leaseMs);
    if (leases.length === 0) return [];
    const rows = await this.query<{ slug: string }>(this.queries.extendLeases, [
      owner,
      leases.map((l) => l.slug),
      leases.map((l) => l.version),
      leaseMs,
    ]);
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
    const payloads: Array<EncodedPayload | null> = outcomes.map((o) =>
      o.type === 'reschedule' && o.payload !== undefined ? encodePayload(o.payload) : null,
    );
    const column = <T>(pick: (o: TaskOutcome, i: number) => T): T[] => outcomes.map(pick);
    const [row] = await this.query<{ removed: string[]; rescheduled: string[] }>(this.queries.settle, [
      owner,
      column((o) => o.slug),
      column((o) => o.version),
      column((o) => o.type === 'delete'),
      column((o) => (o.type === 'reschedule' ? timestampParam('runAt', o.runAt) : null)),
      column((o) => (o.type === 'reschedule' ? o.retry : null)),
      column((o) => (o.type === 'reschedule' ? storableText(o.result) : null)),
      column((o) => (o.type === 'reschedule' ? o.failed : null)),
      column((_o, i) => payloads[i] !== null),
      column((_o, i) => payloads[i]?.json ?? null),
      column((_o, i) => payloads[i]?.bytes ?? null),
      this.channelParam,
    ]);
    const done = new Set([...row.removed, ...row.rescheduled]);
    const result: SettleResult = { applied: [], rejected: [] };
    for (const o of outcomes) (done.has(o.slug) ? result.applied : result.rejected).push(o.slug);
    return result;
  }

  /** `settle` of a batch that only deletes (one-time tasks that ran): a lighter statement. */
  private async settleDeletes(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    const [row] = await this.query<{ rejected: string[] }>(this.queries.settleDeletes, [
      owner,
      outcomes.map((o) => o.slug),
      outcomes.map((o) => o.version),
    ]);
    if (row.rejected.length === 0) return { applied: outcomes.map((o) => o.slug), rejected: [] };
    const refused = new Set(row.rejected);
    const result: SettleResult = { applied: [], rejected: [] };
    for (const o of outcomes) (refused.has(o.slug) ? result.rejected : result.applied).push(o.slug);
    return result;
  }

  /** Gives leases back in one statement; the tasks are claimable at once (and idle instances are woken). */
  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    if (leases.length === 0) return;
    await this.query(this.queries.release, [
      owner,
      leases.map((l) => l.slug),
      leases.map((l) => l.version),
      this.channelParam,
    ]);
  }

  async get(slug: string): Promise<StoreTask | null> {
    const [row] = await this.query<TaskRow>(this.queries.get, [slug]);
    return row ? rowToTask(row) : null;
  }

  async getSlugs(): Promise<string[]> {
    const rows = await this.query<{ slug: string }>(this.queries.getSlugs, []);
    return rows.map((r) => r.slug);
  }

  /** Keyset pagination by slug: each page is one index range scan, however many tasks there are. */
  async list(query: ListQuery): Promise<TaskPage> {
    const limit = query.limit;
    assertListLimit(limit);
    assertSlugPrefix(query.slugPrefix);
    const values: unknown[] = [query.cursor ?? '', query.state ?? null, limit + 1];
    const rows =
      query.slugPrefix || (query.state !== undefined && query.state !== 'scheduled')
        ? await this.listNarrow(values, query)
        : query.kind === undefined
          ? await this.query<TaskRow>(this.queries.list, values)
          : await this.query<TaskRow>(this.queries.listByKind, [...values, query.kind]);
    const tasks = rows.slice(0, limit).map(rowToTask);
    return { tasks, nextCursor: rows.length > limit ? tasks[tasks.length - 1].slug : null };
  }

  /**
   * Changes a task in one statement that locks its row first, so `ifIdle` is checked and the write
   * done with no claim in between. Bumps the version unless only `paused` is given.
   */
  async update(slug: string, patch: TaskPatch, options: UpdateOptions = {}): Promise<UpdateResult> {
    assertTaskPatch(patch);
    const has = (key: keyof TaskPatch): boolean => patch[key] !== undefined;
    const payload = has('payload') ? encodePayload(patch.payload) : null;
    const bump = patchRedefines(patch);
    const rows = await this.query<TaskRow & { status: 'updated' | 'running' }>(this.queries.update, [
      slug,
      has('runAt'),
      has('runAt') ? timestampParam('runAt', patch.runAt as Date) : null,
      has('schedule'),
      patch.schedule ? JSON.stringify(patch.schedule) : null,
      payload !== null,
      payload?.json ?? null,
      payload?.bytes ?? null,
      has('paused'),
      patch.paused ?? null,
      has('failed'),
      patch.failed ?? null,
      has('retry'),
      patch.retry ?? null,
      has('result'),
      storableText(patch.result ?? null),
      bump ? 1 : 0,
      options.ifIdle ?? false,
      this.channelParam,
    ]);
    if (rows.length === 0) return { status: 'not-found' };
    const task = rowToTask(rows[0]);
    return rows[0].status === 'updated' ? { status: 'updated', task } : { status: 'running', task };
  }

  async setPausedByKind(kind: string, paused: boolean): Promise<number> {
    const [row] = await this.query<{ changed: number }>(this.queries.setPausedByKind, [
      kind,
      paused,
      this.channelParam,
    ]);
    return Number(row.changed);
  }

  async delete(slug: string): Promise<boolean> {
    const rows = await this.query(this.queries.delete, [slug]);
    return rows.length > 0;
  }

  async clear(): Promise<void> {
    await this.query(this.queries.clear, []);
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
    const column = <T>(pick: (r: HistoryRecord) => T): T[] => records.map(pick);
    await this.query(this.queries.appendHistory, [
      column((r) => r.slug),
      column((r) => r.kind),
      column((r) => timestampParam('scheduledAt', r.scheduledAt)),
      column((r) => timestampParam('startedAt', r.startedAt)),
      column((r) => timestampParam('finishedAt', r.finishedAt)),
      column((r) => r.outcome),
      column((r) => storableText(r.error)),
      column((r) => r.attempt),
      column((r) => r.instanceId),
    ]);
  }

  async getHistory(slug: string, limit: number): Promise<HistoryRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.query<HistoryRow>(this.queries.getHistory, [slug, Math.floor(limit)]);
    return rows.map(rowToHistory);
  }

  /** Deletes in batches of a few thousand rows, so that pruning never holds many locks or a long transaction. */
  async pruneHistory(before: Date): Promise<number> {
    const cutoff = timestampParam('before', before);
    let total = 0;
    for (;;) {
      const [row] = await this.query<{ deleted: number }>(this.queries.pruneHistory, [cutoff, PRUNE_BATCH]);
      total += Number(row.deleted);
      if (Number(row.deleted) < PRUNE_BATCH) return total;
    }
  }

  // ------------------------------------------------------------------ plumbing

  /** The pool every statement runs on (for a DataSource, the `pg` pool behind it, once it is initialised). */
  private db(): pg.Pool {
    if (this.pool) return this.pool;
    const dataSource = this.dataSource as TypeOrmDataSourceLike;
    if (!dataSource.isInitialized) {
      throw new InvalidStoreOptionError(
        'dataSource',
        'is not initialized: call dataSource.initialize() before store.init() (TypeOrmModule does it before injecting it)',
      );
    }
    const master = (dataSource.driver as { master?: unknown }).master;
    if (master === null || typeof master !== 'object' || typeof (master as pg.Pool).connect !== 'function') {
      throw new InvalidStoreOptionError(
        'dataSource',
        'has no pg pool (driver.master): is it a postgres DataSource?',
      );
    }
    this.pool = master as pg.Pool;
    return this.pool;
  }

  private async query<R>(statement: SqlStatement, values: unknown[]): Promise<R[]> {
    if (this.closed) throw new StoreClosedError();
    const config: pg.QueryConfig & { query_timeout?: number } = this.prepared
      ? { name: `nds_${statement.name}_${this.names.tag}`, text: statement.text, values }
      : { text: statement.text, values };
    if (this.queryTimeoutMs > 0) config.query_timeout = this.queryTimeoutMs;
    const result = await this.db().query(config);
    return result.rows as R[];
  }

  /** Runs a statement on a caller's transaction: a `pg` client (result `{ rows }`) or TypeORM (rows). */
  private async queryInTransaction<R>(tx: unknown, statement: SqlStatement, values: unknown[]): Promise<R[]> {
    const run = (tx as { query?: unknown }).query;
    if (typeof run !== 'function') {
      throw new InvalidArgumentError(
        'tx',
        'must be a pg client or a TypeORM EntityManager / QueryRunner inside a transaction (an object with a query method)',
      );
    }
    const result: unknown = await run.call(tx, statement.text, values);
    if (Array.isArray(result)) return result as R[];
    return ((result as { rows?: unknown[] } | null)?.rows ?? []) as R[];
  }

  /** The LISTEN connection lives from `init()` to `close()`, whoever subscribes meanwhile; it makes no query while idle. */
  private startListening(): Promise<void> {
    if (!this.notify || this.closed) return Promise.resolve();
    if (this.listener) return this.listener.start();
    const pool = this.db();
    const max = (pool as { options?: { max?: number } }).options?.max;
    if (typeof max === 'number' && max < 2) {
      // The LISTEN connection is held for good: with a pool of one, every other query would wait forever.
      throw new InvalidStoreOptionError(
        'notify',
        `needs a pool of at least 2 connections (this one has max ${max}): one is held for LISTEN; pass notify: false or a larger pool`,
      );
    }
    this.listener = new NotificationListener({
      connect: () => pool.connect(),
      channel: this.names.channel,
      listenSql: this.queries.listen.text,
      logger: this.logger,
      onNotification: (payload) => {
        const ms = Number(payload);
        if (payload !== '' && Number.isFinite(ms)) this.wake(new Date(ms));
      },
      onListening: () => this.wake(new Date(0)),
    });
    return this.listener.start();
  }

  private wake(runAt: Date): void {
    for (const listener of [...this.wakeListeners]) {
      try {
        listener(runAt);
      } catch (error) {
        this.logger.error(
          `A wake-up listener threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  // ------------------------------------------------------------------ the console's reads, instances

  /** One statement over the three partial indexes; see `countByKind` in queries.ts for its plan. */
  async countByKind(): Promise<KindCounts[]> {
    const rows = await this.query<KindCounts>(this.queries.countByKind, []);
    return rows.map((row) => ({
      kind: row.kind,
      scheduled: Number(row.scheduled),
      running: Number(row.running),
      failed: Number(row.failed),
      paused: Number(row.paused),
    }));
  }

  async countHistory(since: Date): Promise<KindRunStats[]> {
    assertDateArgument('since', since);
    const rows = await this.query<{ kind: string; succeeded: number; failed: number; lease_lost: number }>(
      this.queries.countHistory,
      [timestampParam('since', since)],
    );
    return rows.map((row) => ({
      kind: row.kind,
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
      leaseLost: Number(row.lease_lost),
    }));
  }

  async recordInstance(info: InstanceInfo): Promise<void> {
    assertInstanceInfo(info);
    await this.query(this.queries.recordInstance, instanceParams(info));
  }

  async removeInstance(instanceId: string): Promise<boolean> {
    assertInstanceId(instanceId);
    return (await this.query(this.queries.removeInstance, [instanceId])).length > 0;
  }

  /** Compared with the database clock, as `lastSeenAt` was stamped with it. */
  async listInstances(maxAgeMs: number): Promise<InstanceRecord[]> {
    assertMaxAgeMs(maxAgeMs);
    const rows = await this.query<InstanceRow>(this.queries.listInstances, [maxAgeMs]);
    return rows.map(rowToInstance);
  }

  async pruneInstances(maxAgeMs: number): Promise<number> {
    assertMaxAgeMs(maxAgeMs);
    const [row] = await this.query<{ deleted: number }>(this.queries.pruneInstances, [maxAgeMs]);
    return Number(row.deleted);
  }

  /**
   * A page by slug prefix, or in a state whose tasks are few (running, paused, failed): each reads
   * only what it lists, where the plain statements would walk the primary key past every other task.
   */
  private listNarrow(values: unknown[], query: ListQuery): Promise<TaskRow[]> {
    const prefix = query.slugPrefix ?? '';
    const kind = query.kind ?? null;
    if (query.state !== undefined && query.state !== 'scheduled') {
      return this.query<TaskRow>(this.queries.listSparse, [...values, kind, prefix]);
    }
    const upper = prefixUpperBound(prefix);
    return upper === null
      ? this.query<TaskRow>(this.queries.listPrefixOpen, [...values, kind, prefix])
      : this.query<TaskRow>(this.queries.listPrefix, [...values, kind, prefix, upper]);
  }
}
