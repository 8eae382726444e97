import type { EngineContext } from './engine-context.js';
import { newExecution, type AbortReason, type Execution } from './execution.js';
import type { Executor } from './executor.js';
import { claimTasks } from './instrumentation.js';
import type { StoreTask } from './job.js';
import type { JobRegistry } from './registry.js';
import { FRESH_LOOP, planAfterClaim, planAfterNextDue } from './loop-plan.js';
import type { SettleQueue } from './settle-queue.js';
import type { LeaseRef } from './store/job-store.js';
import type { Waker } from './waker.js';

interface ClaimGroup {
  kinds: string[];
  /** Per-kind limit, or `undefined` for kinds bounded only by `maxConcurrency`. */
  kindLimit: number | undefined;
}

/**
 * wait → claim → dispatch. Sleeps until the earliest due time of the kinds registered here (or the
 * poll interval, whichever is first; a wake-up ends the sleep early), claims due tasks under a lease
 * up to the free capacity, and hands them to the executor. A store error is logged and retried with
 * a capped backoff; it never ends the loop.
 */
export class RunLoop {
  /** Every execution of this instance whose outcome is not settled yet (including superseded ones). */
  readonly executions = new Set<Execution>();
  /** The execution of each slug's current incarnation on this instance. */
  private readonly bySlug = new Map<string, Execution>();
  private readonly perKind = new Map<string, number>();
  private readonly drainWaiters: Array<() => void> = [];
  private running = false;
  private done: Promise<void> = Promise.resolve();
  /** When a store call of the loop last succeeded; `null` before the first. */
  lastPollAt: Date | null = null;
  /** The last store error of the loop, cleared by the next success. */
  lastStoreError: string | null = null;
  /** Store errors in a row. */
  consecutiveStoreErrors = 0;
  /** The loop is in its idle sleep (nothing claimable): read by `whenIdle`. */
  private idleSince: number | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: {
      registry: JobRegistry;
      executor: Executor;
      settleQueue: SettleQueue;
      waker: Waker;
    },
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  /** Stops claiming and waits for the current iteration to end (running jobs go on). */
  async halt(): Promise<void> {
    this.running = false;
    this.deps.waker.wake();
    await this.done;
  }

  /** Called by the settle queue when an execution's outcome is written (or refused, or given up). */
  settled(execution: Execution): void {
    if (!this.executions.delete(execution)) return;
    execution.state = 'settled';
    const { slug, kind } = execution.task;
    if (this.bySlug.get(slug) === execution) this.bySlug.delete(slug);
    this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
    if (this.executions.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Resolves once nothing claimed by this instance is running or waiting for its outcome write. */
  whenDrained(): Promise<void> {
    if (this.executions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Gives up the executions still running (shutdown): aborts them and returns their leases. */
  abandonRunning(): LeaseRef[] {
    const refs: LeaseRef[] = [];
    for (const execution of [...this.executions]) {
      if (execution.state !== 'running') continue;
      execution.abandoned = true;
      this.deps.executor.abort(execution, 'shutdown');
      if (!execution.superseded && !execution.leaseLost) {
        refs.push({ slug: execution.task.slug, version: execution.task.version });
      }
      this.settled(execution);
    }
    return refs;
  }

  /**
   * A task was deleted, or replaced by the incarnation `incarnation`, through this instance: a run
   * of another incarnation here is superseded (its signal aborts with `reason`, its outcome is discarded).
   */
  supersedeLocal(
    slug: string,
    reason: Extract<AbortReason, 'deleted' | 'replaced'>,
    incarnation?: string,
  ): void {
    const current = this.bySlug.get(slug);
    if (current && current.task.incarnation !== incarnation) this.supersede(current, reason);
  }

  /** The age of the oldest run still running here, in ms (`null` when none runs). */
  oldestRunningMs(now: number): number | null {
    let oldest = Infinity;
    for (const execution of this.executions) {
      if (execution.state === 'running' && !execution.detached)
        oldest = Math.min(oldest, execution.startedAt);
    }
    return oldest === Infinity ? null : now - oldest;
  }

  /**
   * True when nothing runs here, no outcome waits to be written, and the loop sleeps toward a time
   * still ahead: it would do nothing more unless the clock moves or something wakes it.
   */
  isIdle(): boolean {
    return (
      this.executions.size === 0 &&
      this.deps.settleQueue.isEmpty &&
      this.idleSince !== null &&
      this.deps.waker.wakesAt > this.ctx.clock.now().getTime()
    );
  }

  /**
   * wait → claim → plan. The planning (what to do after a claim, and after reading the next due
   * time) is `loop-plan.ts`; this only performs its steps.
   */
  private async loop(): Promise<void> {
    const { store, clock, settings } = this.ctx;
    let memory = FRESH_LOOP;
    /** The last idle sleep ran its full course: nothing woke the loop. */
    let undisturbed = false;
    const plan = { pollMs: settings.pollMs, pushesWakeUps: store.onWake !== undefined };
    while (this.running) {
      if (this.free() <= 0 || this.claimGroups().length === 0) {
        // Full, or nothing registered: a settled execution or a registration wakes us.
        undisturbed = false;
        await this.idle(settings.pollMs);
        continue;
      }
      const heartbeat = undisturbed;
      undisturbed = false;
      const claim = await this.claim();
      if (!this.running) break;
      let planned = planAfterClaim(memory, claim, { ...plan, now: clock.now().getTime(), heartbeat });
      memory = planned.memory;
      if (planned.step.mode === 'read-next-due') {
        const claimed = 'error' in claim ? 0 : claim.claimed;
        planned = planAfterNextDue(memory, await this.nextDue(), claimed, {
          ...plan,
          now: clock.now().getTime(),
        });
        memory = planned.memory;
      }
      const { step } = planned;
      if (step.mode !== 'sleep') continue;
      if (!this.running) break;
      const jitter =
        step.why !== 'store-error' && settings.jitter > 0 ? Math.floor(Math.random() * settings.jitter) : 0;
      const slept = await this.idle(step.ms + jitter);
      // Only a full sleep toward a known time lets the next heartbeat trust what it knew.
      undisturbed = step.why !== 'store-error' && slept;
    }
  }

  /** Claims for every group of kinds, up to the free capacity, and dispatches what comes back. */
  private async claim(): Promise<{ claimed: number; full: boolean } | { error: true }> {
    const { settings } = this.ctx;
    let claimed = 0;
    let full = false;
    const limits = this.deps.registry.limits();
    try {
      for (const group of this.claimGroups()) {
        if (!this.running) break;
        const limit = this.limitFor(group);
        if (limit <= 0) continue;
        const tasks = await claimTasks(this.ctx, {
          kinds: group.kinds,
          owner: settings.owner,
          leaseMs: settings.leaseMs,
          limit,
          // Cluster-wide limits are the store's to count (over every instance), not this loop's.
          ...(limits !== undefined && { limits }),
        });
        claimed += tasks.length;
        if (tasks.length >= limit) full = true;
        if (!this.running) {
          // Stopped while the claim was under way: hand these back rather than run them.
          this.releaseUnrun(tasks);
          break;
        }
        // One clock reading for the batch: its runs start together.
        const startedAt = this.ctx.clock.now().getTime();
        for (const task of tasks) this.dispatch(task, startedAt);
      }
      this.polled();
      return { claimed, full };
    } catch (error) {
      this.storeError('claim', error);
      return { error: true };
    }
  }

  /** When the next task of the kinds registered here becomes claimable, or the failure to tell. */
  private async nextDue(): Promise<{ next: number | null } | { error: true }> {
    try {
      const kinds = this.claimGroups().flatMap((group) => group.kinds);
      const next = kinds.length > 0 ? await this.ctx.store.nextRun(kinds) : null;
      this.polled();
      return { next: next ? next.getTime() : null };
    } catch (error) {
      this.storeError('nextRun', error);
      return { error: true };
    }
  }

  /**
   * Sleeps on the clock (woken early by the waker), marked idle for `whenIdle`. Returns whether the
   * sleep ran its full course (no wake-up cut it short).
   */
  private async idle(ms: number): Promise<boolean> {
    const { clock } = this.ctx;
    const { waker } = this.deps;
    this.idleSince = clock.now().getTime();
    const plannedEnd = this.idleSince + ms;
    await waker.sleep(ms);
    this.idleSince = null;
    return clock.now().getTime() >= plannedEnd;
  }

  private dispatch(task: StoreTask, startedAt: number): void {
    const registration = this.deps.registry.get(task.kind);
    if (!registration) {
      // Cannot happen (we claim only registered kinds); hand the lease back rather than drop the task.
      this.releaseUnrun([task]);
      return;
    }
    const current = this.bySlug.get(task.slug);
    if (current) {
      const sameFire =
        current.task.incarnation === task.incarnation &&
        (current.state === 'running' || this.deps.settleQueue.retarget(current, task.version));
      if (sameFire) {
        // Our own run's lease had lapsed (renewals or the outcome write failed) and we claimed the
        // same task again: it is the same fire, still running here or with its outcome still queued.
        // Adopt the new lease instead of starting a second run.
        current.task = {
          ...current.task,
          version: task.version,
          lockedBy: task.lockedBy,
          lockedUntil: task.lockedUntil,
        };
        current.leaseLost = false;
        current.leaseLostReported = false;
        return;
      }
      // Another incarnation (the task was replaced, or deleted and created again), or a run whose
      // outcome is being written under the old lease: the old run is void, the new one runs.
      this.supersede(current, current.task.incarnation === task.incarnation ? 'lease-lost' : 'replaced');
    }
    const execution = newExecution(task, registration, startedAt);
    this.executions.add(execution);
    this.bySlug.set(task.slug, execution);
    this.perKind.set(task.kind, (this.perKind.get(task.kind) ?? 0) + 1);
    void this.deps.executor.run(execution);
  }

  private releaseUnrun(tasks: StoreTask[]): void {
    if (tasks.length === 0) return;
    const leases = tasks.map((task) => ({ slug: task.slug, version: task.version }));
    void this.ctx.store.release(this.ctx.settings.owner, leases).catch((error: unknown) => {
      this.ctx.reportStoreError('release', error, 'those leases will expire instead');
    });
  }

  private supersede(execution: Execution, reason: AbortReason): void {
    if (this.bySlug.get(execution.task.slug) === execution) this.bySlug.delete(execution.task.slug);
    if (reason === 'lease-lost') execution.leaseLost = true;
    else execution.superseded = true;
    this.deps.executor.abort(execution, reason);
  }

  private free(): number {
    return this.ctx.settings.maxConcurrency - this.executions.size;
  }

  private limitFor(group: ClaimGroup): number {
    let limit = Math.min(this.free(), this.ctx.settings.batchSize);
    if (group.kindLimit !== undefined) {
      limit = Math.min(limit, group.kindLimit - (this.perKind.get(group.kinds[0]!) ?? 0));
    }
    return limit;
  }

  /** Kinds bounded only by `maxConcurrency` are claimed together; a kind with its own limit alone. */
  private claimGroups(): ClaimGroup[] {
    const shared: string[] = [];
    const groups: ClaimGroup[] = [];
    for (const kind of this.deps.registry.kinds()) {
      const limit = this.deps.registry.get(kind)?.concurrency;
      if (limit === undefined) shared.push(kind);
      else if ((this.perKind.get(kind) ?? 0) < limit) groups.push({ kinds: [kind], kindLimit: limit });
    }
    if (shared.length > 0) groups.unshift({ kinds: shared, kindLimit: undefined });
    return groups;
  }

  private polled(): void {
    this.lastPollAt = this.ctx.clock.now();
    this.lastStoreError = null;
    this.consecutiveStoreErrors = 0;
  }

  private storeError(operation: string, error: unknown): void {
    this.lastStoreError = `${operation}: ${this.ctx.reportStoreError(operation, error)}`;
    this.consecutiveStoreErrors++;
  }
}
