import {
  assertCursor,
  assertDate,
  assertJobState,
  assertKind,
  assertListLimit,
  assertSlug,
  assertSlugPrefix,
  assertWholeNumber,
  MAX_HISTORY_LIMIT,
} from './arguments.js';
import type { EngineContext } from './engine-context.js';
import { createEach } from './bulk-create.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { InvalidItemError } from './errors/invalid-item.error.js';
import { messages } from './errors/messages.js';
import { JobAlreadyScheduledError } from './errors/job-already-scheduled.error.js';
import { JobNotFoundError } from './errors/job-not-found.error.js';
import { JobRunningError } from './errors/job-running.error.js';
import { createTask, createTasks } from './instrumentation.js';
import type { AbortReason } from './execution.js';
import { scheduledJobOf } from './job-state.js';
import type { Job, ScheduledJob, StoreTask } from './job.js';
import { buildNewTask, concurrencyKeyOf, firstRunAt, storableSpec } from './new-task.js';
import { assertStorablePayload, samePayload, type Payload } from './payload.js';
import type { JobRegistry } from './registry.js';
import type {
  ListJobsOptions,
  ScheduleJobOptions,
  ScheduleJobsItem,
  ScheduleJobsOptions,
  ScheduleJobsResult,
  TriggerInput,
} from './scheduler.types.js';
import { toTrigger } from './schedule/schedule-spec.js';
import { describeSpec, fireAfter, firstFireAfter, sameSpec } from './schedule/trigger-types.js';
import type {
  ConflictPolicy,
  HistoryRecord,
  KindCounts,
  KindRunStats,
  NewTask,
  TaskPage,
  TaskPatch,
  UpdateOptions,
} from './store/job-store.js';

/** The most fires one `backfill` call runs. */
export const MAX_BACKFILL_FIRES = 10_000;

/** What `scheduleJobs` does with a slug that exists. */
const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['error', 'skip', 'replace'];

/** What the task API tells the engine of this instance after it wrote. */
export interface TaskApiHooks {
  /** Prepares the store (once; again after a stop). */
  ready(): Promise<void>;
  /** A task becomes due at `runAt`: the local loop may need to wake. */
  wakeFor(runAt: Date): void;
  /** Something changed that the local loop should look at now. */
  wake(): void;
  /** A task was deleted or replaced through this instance: a local run of another incarnation is void. */
  supersedeLocal(
    slug: string,
    reason: Extract<AbortReason, 'deleted' | 'replaced'>,
    incarnation?: string,
  ): void;
}

/**
 * The task API: schedule, read, list, pause, trigger, reschedule and delete tasks. Every argument
 * is checked here, before the store is touched (see `arguments.ts`), so that bad input gets the
 * same typed error on every store and nothing is written. `StdScheduler` adds the engine (the loop
 * that runs tasks) on top of it.
 */
export abstract class TaskApi {
  private historyOffLogged = false;

  protected constructor(
    protected readonly ctx: EngineContext,
    protected readonly registry: JobRegistry,
    private readonly hooks: TaskApiHooks,
  ) {}

  /**
   * Creates a task. Without `trigger` it is one-time (unless its kind was registered with a trigger,
   * which is then its schedule). The kind need not be registered on this instance.
   * @throws JobAlreadyScheduledError when the slug exists and `replace` is not set;
   *   InvalidPayloadError, InvalidSlugError, InvalidArgumentError, InvalidCronExpressionError,
   *   UnsupportedTriggerError before anything is written.
   */
  async scheduleJob(
    slug: string,
    jobOrKind: Job | string,
    options: ScheduleJobOptions = {},
  ): Promise<ScheduledJob> {
    const task = buildNewTask(slug, jobOrKind, options, this.registry, this.ctx.clock.now());
    const propagate = options.propagateTraceContext ?? this.ctx.settings.propagateTraceContext;
    await this.hooks.ready();
    const created = await createTask(
      this.ctx,
      'scheduleJob',
      task,
      { replace: options.replace ?? false, tx: options.tx },
      propagate,
    );
    if (options.replace) this.hooks.supersedeLocal(created.slug, 'replaced', created.incarnation);
    this.hooks.wakeFor(created.runAt);
    return this.toScheduledJob(created);
  }

  /**
   * Schedules many tasks in as few store writes as the store can: PostgreSQL one statement per chunk
   * (and one wake-up each), memory one heap build, Firestore batched commits. Every item is checked
   * first, as `scheduleJob` would; a bad one (or a slug given twice) is refused with an
   * `InvalidItemError` naming its index, and nothing is written. With `onConflict: 'error'` (the
   * default) an existing slug refuses the call with `JobAlreadyScheduledError`; `'skip'` keeps it,
   * `'replace'` overwrites it. The result says per slug what happened, in the order given.
   */
  async scheduleJobs(
    items: readonly ScheduleJobsItem[],
    options: ScheduleJobsOptions = {},
  ): Promise<ScheduleJobsResult> {
    if (!Array.isArray(items)) throw new InvalidArgumentError('items', 'must be an array');
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', 'must be an object');
    }
    const onConflict = options.onConflict ?? 'error';
    if (!CONFLICT_POLICIES.includes(onConflict)) {
      throw new InvalidArgumentError('onConflict', messages.argumentReasons.oneOf(CONFLICT_POLICIES));
    }
    const now = this.ctx.clock.now();
    const seen = new Map<string, number>();
    const tasks = items.map((item, index) => {
      const slug: unknown = item?.slug;
      try {
        if (item === null || typeof item !== 'object')
          throw new InvalidArgumentError('item', 'must be an object');
        const task = buildNewTask(slug, item.kind, item, this.registry, now);
        const first = seen.get(task.slug);
        if (first !== undefined)
          throw new InvalidArgumentError('slug', messages.duplicateSlug(task.slug, first));
        seen.set(task.slug, index);
        return task;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new InvalidItemError(index, typeof slug === 'string' ? slug : undefined, reason, {
          cause: error,
        });
      }
    });
    if (tasks.length === 0) return { items: [], created: 0, skipped: 0, replaced: 0 };
    await this.hooks.ready();
    const store = this.ctx.store;
    const propagate = options.propagateTraceContext ?? this.ctx.settings.propagateTraceContext;
    const written = await createTasks(
      this.ctx,
      'scheduleJobs',
      tasks,
      (toWrite) =>
        store.createMany
          ? store.createMany(toWrite, { onConflict, tx: options.tx })
          : createEach(store, toWrite, { onConflict, tx: options.tx }),
      propagate,
    );
    let earliest: Date | null = null;
    const counts = { created: 0, skipped: 0, replaced: 0 };
    for (const [i, item] of written.entries()) {
      counts[item.status] += 1;
      if (item.status === 'skipped') continue;
      if (item.status === 'replaced')
        this.hooks.supersedeLocal(item.slug, 'replaced', item.incarnation ?? undefined);
      if (!tasks[i].paused && (earliest === null || tasks[i].runAt < earliest)) earliest = tasks[i].runAt;
    }
    if (earliest) this.hooks.wakeFor(earliest);
    return { items: written.map(({ slug, status }) => ({ slug, status })), ...counts };
  }

  /**
   * Runs the fires of a recurring task in a past window once each, for work that must be redone
   * (a report recomputed): one one-time task of the same kind and payload per fire in
   * `[from, to]`, named `<slug>@<fire time ISO>` and due at that fire time (so they run at once, in
   * order, and `ctx.scheduledAt` is the fire). Calling it again for the same window creates nothing
   * new (existing slugs are skipped). The recurring task itself is left as it is.
   * @throws JobNotFoundError; InvalidArgumentError for a one-time task, a window not in the past or
   *   holding more than {@link MAX_BACKFILL_FIRES} fires.
   */
  async backfill(slug: string, window: { from: Date; to: Date }): Promise<ScheduleJobsResult> {
    assertSlug(slug);
    assertDate(window?.from, 'from');
    assertDate(window?.to, 'to');
    const { from, to } = window;
    const now = this.ctx.clock.now();
    if (from > to) throw new InvalidArgumentError('from', 'must not be after to');
    if (to > now) throw new InvalidArgumentError('to', 'must not be in the future: backfill runs past fires');
    await this.hooks.ready();
    const task = await this.ctx.store.get(slug);
    if (!task) throw new JobNotFoundError(slug);
    const trigger = this.registry.triggerOf(task, this.registry.get(task.kind));
    if (!trigger)
      throw new InvalidArgumentError(
        'slug',
        `"${slug}" is a one-time task: only a recurring task has fires to backfill`,
      );
    const fires: Date[] = [];
    // On the task's own schedule: an interval keeps the phase of its next run.
    const first = fireAfter(trigger, task.runAt, new Date(from.getTime() - 1));
    for (let fire = first; fire !== null && fire <= to; fire = trigger.nextFireTime(fire)) {
      if (fires.length >= MAX_BACKFILL_FIRES) {
        throw new InvalidArgumentError(
          'window',
          `holds more than ${MAX_BACKFILL_FIRES} fires; backfill it in parts`,
        );
      }
      fires.push(fire);
    }
    return this.scheduleJobs(
      fires.map((fire) => ({
        slug: `${slug}@${fire.toISOString()}`,
        kind: task.kind,
        payload: task.payload,
        runAt: fire,
        priority: task.priority,
      })),
      { onConflict: 'skip' },
    );
  }

  /** Every slug in the store. For a large store prefer {@link listJobs}. */
  async getJobSlugs(): Promise<string[]> {
    await this.hooks.ready();
    return this.ctx.store.getSlugs();
  }

  /** A task's kind, next run time, payload, retry count, last result and state. @throws JobNotFoundError */
  async getScheduledJob(slug: string): Promise<ScheduledJob> {
    assertSlug(slug);
    await this.hooks.ready();
    const task = await this.ctx.store.get(slug);
    if (!task) throw new JobNotFoundError(slug);
    return this.toScheduledJob(task);
  }

  /** Deletes a task (a run in flight on this instance is aborted, reason `deleted`). @throws JobNotFoundError */
  async deleteJob(slug: string): Promise<void> {
    assertSlug(slug);
    await this.hooks.ready();
    if (!(await this.ctx.store.delete(slug))) throw new JobNotFoundError(slug);
    this.hooks.supersedeLocal(slug, 'deleted');
  }

  /** Deletes every task. */
  async clear(): Promise<void> {
    await this.hooks.ready();
    await this.ctx.store.clear();
  }

  /** A page of tasks, filtered by kind and state. @throws InvalidArgumentError for a bad filter. */
  async listJobs(options: ListJobsOptions = {}): Promise<TaskPage> {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', 'must be an object');
    }
    const limit = options.limit ?? 100;
    assertListLimit(limit);
    if (options.kind !== undefined) assertKind(options.kind);
    assertJobState(options.state);
    assertCursor(options.cursor);
    assertSlugPrefix(options.slugPrefix);
    await this.hooks.ready();
    return this.ctx.store.list({
      kind: options.kind,
      state: options.state,
      slugPrefix: options.slugPrefix,
      limit,
      cursor: options.cursor ?? null,
    });
  }

  /** Per kind, how many tasks are scheduled, running, failed and paused (one store call). */
  async countJobsByKind(): Promise<KindCounts[]> {
    await this.hooks.ready();
    return this.ctx.store.countByKind();
  }

  /** Per kind, how the executions that finished since `since` ended (needs the `history` option). */
  async getRunStats(options: { since: Date }): Promise<KindRunStats[]> {
    assertDate(options?.since, 'since');
    await this.hooks.ready();
    return this.ctx.store.countHistory(options.since);
  }

  /**
   * A task's execution history, newest first. History is kept only with the scheduler's `history`
   * option: without it this returns `[]` (and says so once in the log).
   */
  async getJobHistory(slug: string, options: { limit?: number } = {}): Promise<HistoryRecord[]> {
    assertSlug(slug);
    const limit = options?.limit ?? 50;
    assertWholeNumber(limit, 'limit', 1, MAX_HISTORY_LIMIT);
    if (!this.ctx.settings.recordHistory && !this.historyOffLogged) {
      this.historyOffLogged = true;
      this.ctx.logger.log(
        'getJobHistory: history is off on this scheduler, so only runs recorded by other instances show; pass { history: { retention: "7d" } } to keep it',
      );
    }
    await this.hooks.ready();
    return this.ctx.store.getHistory(slug, limit);
  }

  /**
   * Makes sure a recurring task exists for `slug` with this kind, trigger and payload: created once
   * across any number of instances, then kept as declared when a deploy changes the declaration:
   * - another schedule: the schedule and the next run time are updated;
   * - another `payload` (when one is given; without `payload` the stored one is kept): it is updated;
   * - another kind: the task is replaced (a new incarnation of the new kind; a run of the old kind in
   *   flight is aborted with reason `replaced` and its outcome refused).
   * Used by the Nest module for `@JobHandler(kind, cron)`.
   * @throws JobRunningError when the schedule or payload must change while the task runs (call again).
   */
  async ensureRecurring(
    slug: string,
    kind: string,
    triggerInput: TriggerInput,
    options: { payload?: Payload } = {},
  ): Promise<ScheduledJob> {
    assertSlug(slug);
    assertKind(kind);
    const trigger = toTrigger(triggerInput);
    const schedule = storableSpec(trigger);
    const payload = options.payload ?? null;
    assertStorablePayload(payload);
    await this.hooks.ready();
    // The task as declared, with the payload it will have; its concurrency key follows from it.
    const declared = (taskPayload: Payload): NewTask => {
      const registration = this.registry.get(kind);
      const concurrencyKey = concurrencyKeyOf(registration, { slug, kind, payload: taskPayload });
      return {
        slug,
        kind,
        payload: taskPayload,
        runAt: firstRunAt({}, trigger, this.ctx.clock.now()),
        schedule,
        priority: registration?.priority ?? 0,
        ...(concurrencyKey !== null && { concurrencyKey }),
      };
    };
    for (;;) {
      const existing = await this.ctx.store.get(slug);
      if (!existing) {
        try {
          const task = await createTask(
            this.ctx,
            'ensureRecurring',
            declared(payload),
            {},
            this.ctx.settings.propagateTraceContext,
          );
          this.hooks.wakeFor(task.runAt);
          return this.toScheduledJob(task);
        } catch (error) {
          if (error instanceof JobAlreadyScheduledError) continue; // another instance won the race
          throw error;
        }
      }
      const wanted = declared(options.payload ?? existing.payload);
      // Another kind, or another concurrency key (the kind's limits changed, or the payload it is
      // computed from): a new incarnation, since a store keeps both from the task's creation.
      if (existing.kind !== kind || (wanted.concurrencyKey ?? null) !== (existing.concurrencyKey ?? null)) {
        const task = await createTask(
          this.ctx,
          'ensureRecurring',
          wanted,
          { replace: true },
          this.ctx.settings.propagateTraceContext,
        );
        this.ctx.logger.log(
          existing.kind !== kind
            ? `[${kind}:${slug}] kind changed from ${existing.kind}: the task is replaced; next run ${task.runAt.toISOString()}`
            : `[${kind}:${slug}] concurrency key changed: the task is replaced; next run ${task.runAt.toISOString()}`,
        );
        this.hooks.wakeFor(task.runAt);
        return this.toScheduledJob(task);
      }
      const patch: TaskPatch = {};
      if (!sameSpec(existing.schedule, schedule)) Object.assign(patch, { schedule, runAt: wanted.runAt });
      if (options.payload !== undefined && !samePayload(existing.payload, options.payload))
        patch.payload = options.payload;
      if (Object.keys(patch).length === 0) return this.toScheduledJob(existing);
      const task = await this.mustUpdate(slug, patch, 'reschedule');
      if (patch.schedule !== undefined)
        this.ctx.logger.log(
          `[${kind}:${slug}] schedule changed to ${describeSpec(schedule)}; next run ${wanted.runAt.toISOString()}`,
        );
      if (patch.payload !== undefined) this.ctx.logger.log(`[${kind}:${slug}] payload changed`);
      this.hooks.wakeFor(task.runAt);
      return this.toScheduledJob(task);
    }
  }

  /** A paused task is never claimed; a run in flight finishes. @throws JobNotFoundError */
  async pauseJob(slug: string): Promise<void> {
    await this.mustUpdate(slug, { paused: true }, 'pause');
  }

  /**
   * Resumes a paused task. A recurring task whose fires passed while it was paused goes on as its
   * misfire policy says, but a pause is not a misfire (it is not counted as one, nor as lateness):
   * `fire-once` runs it once now, `skip` moves it to its first fire after now, `catch-up` replays the
   * fires it skipped. @throws JobNotFoundError
   */
  async resumeJob(slug: string): Promise<void> {
    assertSlug(slug);
    await this.hooks.ready();
    const current = await this.ctx.store.get(slug);
    if (!current) throw new JobNotFoundError(slug);
    const runAt = this.resumeTime(current);
    const resumed =
      runAt === null ? null : await this.ctx.store.update(slug, { paused: false, runAt }, { ifIdle: true });
    // Running (a pause issued during a run): only the flag changes, so that the run is not fenced out.
    const task =
      resumed?.status === 'updated' ? resumed.task : await this.mustUpdate(slug, { paused: false }, 'resume');
    this.hooks.wakeFor(task.runAt);
  }

  /** Where a paused recurring task whose time passed resumes, by its kind's misfire policy; null: as it is. */
  private resumeTime(task: StoreTask): Date | null {
    const now = this.ctx.clock.now();
    if (!task.paused || task.runAt >= now) return null;
    const registration = this.registry.get(task.kind);
    const policy = registration?.misfirePolicy.kind ?? 'fire-once';
    if (policy === 'catch-up') return null;
    let trigger;
    try {
      trigger = this.registry.triggerOf(task, registration);
    } catch {
      return null; // Unreadable: the engine keeps it failed when it runs; resuming changes nothing else.
    }
    if (!trigger) return null;
    if (policy === 'fire-once') return now;
    try {
      return firstFireAfter(trigger, task.runAt, now);
    } catch {
      return null;
    }
  }

  /** Pauses every task of a kind; returns how many changed. */
  async pauseKind(kind: string): Promise<number> {
    assertKind(kind);
    await this.hooks.ready();
    return this.ctx.store.setPausedByKind(kind, true);
  }

  /** Resumes every task of a kind; returns how many changed. */
  async resumeKind(kind: string): Promise<number> {
    assertKind(kind);
    await this.hooks.ready();
    const count = await this.ctx.store.setPausedByKind(kind, false);
    this.hooks.wake();
    return count;
  }

  /**
   * Runs a task once now: a recurring task then carries on with its schedule, a failed one-time task
   * is retried from scratch. A paused task stays paused (it runs once resumed).
   * @throws JobNotFoundError; JobRunningError while it runs.
   */
  async triggerJob(slug: string): Promise<void> {
    const task = await this.mustUpdate(
      slug,
      { runAt: this.ctx.clock.now(), failed: false, retry: 0 },
      'trigger',
      { ifIdle: true },
    );
    this.hooks.wakeFor(task.runAt);
  }

  /**
   * Moves a task to `runAt`, or gives it a new `trigger` (next run: `runAt` or the trigger's first
   * fire after now). @throws JobNotFoundError; JobRunningError while it runs.
   */
  async rescheduleJob(
    slug: string,
    options: { runAt?: Date; trigger?: TriggerInput },
  ): Promise<ScheduledJob> {
    assertSlug(slug);
    const patch: TaskPatch = {};
    if (options?.trigger !== undefined) {
      const trigger = toTrigger(options.trigger);
      patch.schedule = storableSpec(trigger);
      patch.runAt = firstRunAt({ runAt: options.runAt }, trigger, this.ctx.clock.now());
    } else if (options?.runAt !== undefined) {
      patch.runAt = firstRunAt({ runAt: options.runAt }, null, this.ctx.clock.now());
    } else {
      throw new InvalidArgumentError('rescheduleJob options', 'give a valid runAt or a trigger');
    }
    const task = await this.mustUpdate(slug, patch, 'reschedule', { ifIdle: true });
    this.hooks.wakeFor(task.runAt);
    return this.toScheduledJob(task);
  }

  protected async mustUpdate(
    slug: string,
    patch: TaskPatch,
    action: string,
    options?: UpdateOptions,
  ): Promise<StoreTask> {
    assertSlug(slug);
    await this.hooks.ready();
    const result = await this.ctx.store.update(slug, patch, options);
    if (result.status === 'not-found') throw new JobNotFoundError(slug);
    if (result.status === 'running') throw new JobRunningError(slug, action);
    return result.task;
  }

  protected toScheduledJob(task: StoreTask): ScheduledJob {
    return scheduledJobOf(task, this.ctx.clock.now());
  }
}
