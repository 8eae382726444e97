import type { EngineContext } from './engine-context.js';
import { errorMessage } from './error-text.js';
import { messages } from './errors/messages.js';
import type { Execution } from './execution.js';
import { settleOutcomes } from './instrumentation.js';
import type { HistoryRecord, TaskOutcome } from './store/job-store.js';
import { storeRetryDelay } from './loop-plan.js';
import { isTransientStoreError } from './store/transient-error.js';

interface PendingOutcome {
  execution: Execution;
  /** What to write; `null` for a run whose outcome is void (only its history is written). */
  outcome: TaskOutcome | null;
  history: HistoryRecord | null;
  /** When it was queued (ms since epoch): `health()` reports the oldest. */
  queuedAt: number;
  /** A write of it failed before: a refusal now may mean that write was applied after all. */
  retried: boolean;
  /** It was refused and replaced by the plainest outcome (kept as failed, with the reason). */
  degraded: boolean;
}

/**
 * Writes run outcomes in batches, one store call at a time (group commit): outcomes that arrive
 * while a write is under way go in the next one. Under load a single `settle` carries hundreds of
 * outcomes; when idle each outcome is written on the next turn of the event loop.
 *
 * A failed write is retried two ways. A *transient* failure (timeout, lost connection: see
 * `isTransientStoreError`) retries the same batch after a backoff. Any other failure may be a
 * refusal of one value: the batch is split in halves, each written alone, until the refused outcome
 * stands alone. Refused alone, the store is probed with a read of that task: if the store answers,
 * the refusal is about the value, and the outcome is written in its plainest form (the task kept as
 * failed with the store's reason); refused even so, it is given up and reported (its lease expires
 * and the task runs again). If the probe fails too, the store is down after all: back off and retry.
 * So one bad outcome never holds back another, and an outage never fails a task.
 */
export class SettleQueue {
  private pending: PendingOutcome[] = [];
  /** Groups split off a refused batch, each written alone, before anything else. */
  private isolated: PendingOutcome[][] = [];
  private flushing: Promise<void> | null = null;
  /** The batch of the store call under way. */
  private writing: PendingOutcome[] = [];
  private scheduled = false;
  private givingUp = false;
  /** Failed writes in a row: the backoff grows with them. */
  private failures = 0;
  private backoff: AbortController | null = null;
  /** The last write error, `null` once a write succeeds again. */
  lastError: string | null = null;
  /** Outcomes given up on because the store refused them even in their plainest form. */
  unwritable = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: {
      maxBatch: number;
      /** Called for each execution once its outcome is written (or refused, or given up). */
      onSettled: (execution: Execution) => void;
      /** Called after every batch: the loop may claim again. */
      afterBatch: () => void;
    },
  ) {}

  get isEmpty(): boolean {
    return this.size === 0 && this.flushing === null && !this.scheduled;
  }

  /** Outcomes waiting to be written. */
  get size(): number {
    return this.pending.length + this.isolated.reduce((sum, group) => sum + group.length, 0);
  }

  /** How long the oldest outcome has waited, in ms (`null` when none waits). */
  oldestAgeMs(now: number): number | null {
    let oldest = Infinity;
    for (const item of this.queued()) oldest = Math.min(oldest, item.queuedAt);
    return oldest === Infinity ? null : now - oldest;
  }

  /**
   * Points a queued outcome at a new version of its lease (the task was claimed again by this
   * instance, same incarnation, while its outcome waited). False when that outcome is being
   * written right now (it is then refused, and the task runs again).
   */
  retarget(execution: Execution, version: number): boolean {
    if (this.writing.some((item) => item.execution === execution)) return false;
    for (const item of this.queued()) {
      if (item.execution !== execution) continue;
      if (item.outcome) item.outcome = { ...item.outcome, version };
      return true;
    }
    return false;
  }

  enqueue(execution: Execution, outcome: TaskOutcome | null, history: HistoryRecord | null): void {
    const queuedAt = this.ctx.clock.now().getTime();
    this.pending.push({
      execution,
      outcome,
      history,
      queuedAt,
      retried: false,
      degraded: false,
    });
    this.schedule();
  }

  /**
   * Waits until every queued outcome is written; with `giveUpAfterMs`, gives up at that deadline:
   * what is not written by then is dropped with a warning (those leases expire and the tasks run
   * again), and it returns without waiting for a store call still under way.
   */
  async drain(giveUpAfterMs?: number): Promise<void> {
    const { clock } = this.ctx;
    const deadline = giveUpAfterMs === undefined ? Infinity : clock.now().getTime() + giveUpAfterMs;
    while (!this.isEmpty) {
      const left = deadline - clock.now().getTime();
      if (left <= 0) {
        this.giveUp();
        return;
      }
      const tick = new AbortController();
      const step = this.flushing ?? new Promise<void>((resolve) => setImmediate(resolve));
      await Promise.race([step, deadline === Infinity ? step : clock.sleep(left, tick.signal)]);
      tick.abort();
    }
  }

  private giveUp(): void {
    this.givingUp = true;
    this.backoff?.abort();
    const dropped = [...this.writing, ...this.queued()];
    this.pending = [];
    this.isolated = [];
    const unwritten = dropped.filter((item) => item.outcome !== null).length;
    if (unwritten > 0) {
      this.ctx.logger.warn(
        `Gave up writing ${unwritten} outcome(s) at shutdown: their leases will expire and those tasks will run again`,
      );
    }
    for (const item of dropped) this.hooks.onSettled(item.execution);
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.size === 0) return;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.size > 0 && !this.givingUp) this.schedule();
      });
    });
  }

  private queued(): PendingOutcome[] {
    return [...this.isolated.flat(), ...this.pending];
  }

  /** The next batch: a group split off a refused batch, else new outcomes. */
  private takeBatch(): { batch: PendingOutcome[]; isolated: boolean } {
    if (this.isolated.length > 0) return { batch: this.isolated.shift() as PendingOutcome[], isolated: true };
    return { batch: this.pending.splice(0, this.hooks.maxBatch), isolated: false };
  }

  private async flush(): Promise<void> {
    const { batch, isolated } = this.takeBatch();
    const writes = batch.filter((item) => item.outcome !== null);
    this.writing = batch;
    if (writes.length > 0) {
      try {
        const { rejected } = await settleOutcomes(
          this.ctx,
          writes.map((item) => item.outcome as TaskOutcome),
          () => writes.map((item) => item.execution),
        );
        this.failures = 0;
        this.lastError = null;
        if (rejected.length > 0) this.reportRejected(writes, new Set(rejected));
      } catch (error) {
        if (this.givingUp) return;
        this.writing = [];
        for (const item of writes) item.retried = true;
        const transient = isTransientStoreError(error);
        this.lastError = this.ctx.reportStoreError(
          'settle',
          error,
          transient || writes.length === 1
            ? `will retry ${writes.length} outcome(s)`
            : 'looking for the outcome it refused',
        );
        if (!transient && writes.length > 1) {
          // Splitting makes progress at once: no wait.
          const half = Math.ceil(batch.length / 2);
          this.isolated.unshift(batch.slice(0, half), batch.slice(half));
          return;
        }
        if (!transient && (await this.storeAnswers(writes[0]))) {
          const givenUp = this.refused(writes[0], batch);
          if (givenUp) await this.settleBatch([givenUp]);
          return;
        }
        if (isolated) this.isolated.unshift(batch);
        else this.pending.unshift(...batch);
        await this.sleep(storeRetryDelay(this.failures++));
        return;
      }
    }
    await this.settleBatch(batch);
  }

  private async settleBatch(batch: PendingOutcome[]): Promise<void> {
    this.writing = [];
    for (const item of batch) this.hooks.onSettled(item.execution);
    this.hooks.afterBatch();
    await this.appendHistory(batch);
  }

  /** Whether the store answers a read of the outcome's task: then it is up, and it refused that value. */
  private async storeAnswers(item: PendingOutcome): Promise<boolean> {
    try {
      await this.ctx.store.get(item.execution.task.slug);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The store refused this outcome alone while it answers: degrade it to its plainest form (kept as
   * failed, with the reason) and write that next; refused in that form too, give it up (returned, to
   * be settled as it is: its lease expires and the task runs again).
   */
  private refused(item: PendingOutcome, batch: PendingOutcome[]): PendingOutcome | null {
    const others = batch.filter((other) => other !== item);
    if (others.length > 0) this.isolated.unshift(others);
    const outcome = item.outcome as TaskOutcome;
    const { kind, slug } = item.execution.task;
    const reason = this.lastError ?? 'refused by the store';
    if (!item.degraded && outcome.type === 'reschedule') {
      item.degraded = true;
      item.outcome = {
        type: 'reschedule',
        slug: outcome.slug,
        version: outcome.version,
        runAt: item.execution.task.runAt,
        retry: outcome.retry,
        result: messages.runFailures.outcomeUnwritable(reason),
        failed: true,
      };
      this.ctx.logger.error(
        `[${kind}:${slug}] its outcome was refused by the store; keeping it as failed instead`,
      );
      this.isolated.unshift([item]);
      return null;
    }
    this.unwritable++;
    this.ctx.logger.error(
      `[${kind}:${slug}] its outcome could not be written (${reason}); its lease will expire and it will run again`,
    );
    return item;
  }

  private async appendHistory(batch: PendingOutcome[]): Promise<void> {
    const records = batch.flatMap((item) => (item.history ? [item.history] : []));
    if (records.length === 0) return;
    const { store, events, logger } = this.ctx;
    try {
      await store.appendHistory(records);
      if (events.has('history.recorded'))
        for (const record of records) events.emit('history.recorded', record);
    } catch (error) {
      logger.warn(`Writing ${records.length} history record(s) failed: ${errorMessage(error)}`);
    }
  }

  private async sleep(ms: number): Promise<void> {
    const backoff = new AbortController();
    this.backoff = backoff;
    await this.ctx.clock.sleep(ms, backoff.signal);
    this.backoff = null;
  }

  private reportRejected(writes: PendingOutcome[], rejected: Set<string>): void {
    for (const item of writes) {
      const { execution } = item;
      if (!rejected.has(execution.task.slug)) continue;
      // The run's outcome was refused: its history record must not say it succeeded or failed.
      if (item.history) item.history = { ...item.history, outcome: 'lease-lost' };
      if (item.retried) {
        // An earlier attempt that timed out may have been applied: that is not a lost lease.
        this.ctx.logger.warn(
          `[${execution.task.kind}:${execution.task.slug}] outcome not applied on retry: an earlier attempt applied it, or the lease was lost`,
        );
        continue;
      }
      this.ctx.reportLeaseLost(
        execution,
        'outcome not applied: the lease was lost (the task was taken over, replaced or deleted)',
      );
    }
  }
}
