import type { Clock } from './clock.js';
import { errorMessage, type EventBus } from './event-bus.js';
import type { Execution } from './execution.js';
import type { Executor } from './executor.js';
import type { SchedulerLogger } from './logger.js';
import type { JobRegistry } from './registry.js';
import { storeRetryDelay, type SettleQueue } from './settle-queue.js';
import type { Waker } from './waker.js';
import type { JobStore, LeaseRef } from './store/job-store.js';
import type { StoreTask } from './job.js';

/** The loop's resolved settings. */
export interface RunLoopSettings {
  owner: string;
  leaseMs: number;
  maxConcurrency: number;
  batchSize: number;
  /** Longest idle sleep before re-checking the store. */
  pollMs: number;
  jitter: number;
}

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
  readonly inFlight = new Map<string, Execution>();
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
    private readonly deps: {
      store: JobStore;
      registry: JobRegistry;
      executor: Executor;
      settleQueue: SettleQueue;
      waker: Waker;
      clock: Clock;
      logger: SchedulerLogger;
      events: EventBus;
      settings: RunLoopSettings;
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

  /** Called by the settle queue when an execution's outcome is written. */
  settled(execution: Execution): void {
    const { slug, kind } = execution.task;
    if (this.inFlight.get(slug) !== execution) return;
    this.inFlight.delete(slug);
    this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
    if (this.inFlight.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Resolves once nothing claimed by this instance is running or waiting for its outcome write. */
  whenDrained(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Gives up the executions still running (shutdown): aborts them and returns their leases. */
  abandonRunning(): LeaseRef[] {
    const refs: LeaseRef[] = [];
    for (const execution of [...this.inFlight.values()]) {
      if (execution.finished) continue;
      execution.abandoned = true;
      execution.controller.abort('shutdown');
      refs.push({ slug: execution.task.slug, version: execution.task.version });
      this.settled(execution);
    }
    return refs;
  }

  /** Aborts a local run of `slug` (it was deleted). */
  abortLocal(slug: string): void {
    const execution = this.inFlight.get(slug);
    if (execution && !execution.finished) execution.controller.abort('deleted');
  }

  /**
   * True when nothing runs here, no outcome waits to be written, and the loop sleeps toward a time
   * still ahead: it would do nothing more unless the clock moves or something wakes it.
   */
  isIdle(): boolean {
    return (
      this.inFlight.size === 0 &&
      this.deps.settleQueue.isEmpty &&
      this.idleSince !== null &&
      this.deps.waker.wakesAt > this.deps.clock.now().getTime()
    );
  }

  private async loop(): Promise<void> {
    const { store, clock, settings } = this.deps;
    let storeErrors = 0;
    let emptyDue = 0;
    /** What the last `nextRun` said (ms since epoch, null: nothing); undefined when unknown. */
    let knownNext: number | null | undefined;
    /** The last idle sleep ran its full course: nothing woke the loop, so `knownNext` may still hold. */
    let undisturbed = false;
    // Only a store that pushes wake-ups tells us of a change; without them every heartbeat must look.
    const pushesWakeUps = store.onWake !== undefined;
    while (this.running) {
      const groups = this.claimGroups();
      if (this.free() <= 0 || groups.length === 0) {
        // Full, or nothing registered: a settled execution or a registration wakes us.
        undisturbed = false;
        await this.idle(settings.pollMs);
        continue;
      }
      const heartbeat = undisturbed;
      undisturbed = false;
      let claimed = 0;
      let full = false;
      try {
        for (const group of groups) {
          if (!this.running) break;
          const limit = this.limitFor(group);
          if (limit <= 0) continue;
          const tasks = await store.claim({
            kinds: group.kinds,
            owner: settings.owner,
            leaseMs: settings.leaseMs,
            limit,
          });
          claimed += tasks.length;
          if (tasks.length >= limit) full = true;
          for (const task of tasks) this.dispatch(task);
        }
        storeErrors = 0;
        this.polled();
      } catch (error) {
        this.storeError('claim', error);
        await this.idle(storeRetryDelay(storeErrors++));
        continue;
      }
      if (!this.running) break;
      if (full) continue;

      let delay = settings.pollMs;
      // A heartbeat whose claim found nothing, with no wake-up since the last look: the next due time
      // read then still holds (a store that pushes wake-ups would have woken us for a change), so the
      // claim is the only query of this heartbeat: an idle instance costs one query per heartbeat.
      const cached =
        pushesWakeUps && heartbeat && claimed === 0 && knownNext !== undefined
          ? knownNext === null
            ? settings.pollMs
            : Math.min(settings.pollMs, knownNext - clock.now().getTime())
          : 0;
      if (cached > 0) {
        delay = cached;
      } else {
        try {
          const kinds = this.claimGroups().flatMap((group) => group.kinds);
          const next = kinds.length > 0 ? await store.nextRun(kinds) : null;
          knownNext = next ? next.getTime() : null;
          if (next) delay = Math.min(delay, next.getTime() - clock.now().getTime());
          storeErrors = 0;
          this.polled();
        } catch (error) {
          knownNext = undefined;
          this.storeError('nextRun', error);
          delay = storeRetryDelay(storeErrors++);
        }
      }
      if (delay <= 0) {
        // Something fell due after the claim: claim again at once. If a second claim in a row
        // finds nothing although something is due (taken by another instance, or the store's clock
        // is a hair behind ours), back off a little instead of spinning.
        if (claimed > 0 || emptyDue++ === 0) continue;
        delay = Math.min(settings.pollMs, 2 ** Math.min(emptyDue, 10));
      } else {
        emptyDue = 0;
      }
      if (!this.running) break;
      if (settings.jitter > 0) delay += Math.floor(Math.random() * settings.jitter);
      undisturbed = await this.idle(delay);
    }
  }

  /**
   * Sleeps on the clock (woken early by the waker), marked idle for `whenIdle`. Returns whether the
   * sleep ran its full course (no wake-up cut it short).
   */
  private async idle(ms: number): Promise<boolean> {
    const { clock, waker } = this.deps;
    this.idleSince = clock.now().getTime();
    const plannedEnd = this.idleSince + ms;
    await waker.sleep(ms);
    this.idleSince = null;
    return clock.now().getTime() >= plannedEnd;
  }

  private dispatch(task: StoreTask): void {
    const registration = this.deps.registry.get(task.kind);
    if (!registration) {
      // Cannot happen (we claim only registered kinds); hand the lease back rather than drop the task.
      void this.deps.store.release(this.deps.settings.owner, [{ slug: task.slug, version: task.version }]);
      return;
    }
    const current = this.inFlight.get(task.slug);
    if (current && !current.abandoned) {
      // Our own run's lease had expired (renewals failed) and we claimed the task again: it is the
      // same fire, still running here. Adopt the new lease instead of starting a second run.
      current.task = {
        ...current.task,
        version: task.version,
        lockedBy: task.lockedBy,
        lockedUntil: task.lockedUntil,
      };
      current.leaseLost = false;
      return;
    }
    const execution: Execution = {
      task,
      registration,
      controller: new AbortController(),
      finished: false,
      abandoned: false,
      leaseLost: false,
    };
    this.inFlight.set(task.slug, execution);
    this.perKind.set(task.kind, (this.perKind.get(task.kind) ?? 0) + 1);
    void this.deps.executor.run(execution);
  }

  private free(): number {
    return this.deps.settings.maxConcurrency - this.inFlight.size;
  }

  private limitFor(group: ClaimGroup): number {
    let limit = Math.min(this.free(), this.deps.settings.batchSize);
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
    this.lastPollAt = this.deps.clock.now();
    this.lastStoreError = null;
    this.consecutiveStoreErrors = 0;
  }

  private storeError(operation: string, error: unknown): void {
    const message = errorMessage(error);
    this.lastStoreError = `${operation}: ${message}`;
    this.consecutiveStoreErrors++;
    this.deps.logger.error(`Store ${operation} failed, will retry: ${message}`);
    if (this.deps.events.has('store.error')) {
      this.deps.events.emit('store.error', {
        operation,
        error: message,
        instanceId: this.deps.settings.owner,
      });
    }
  }
}
