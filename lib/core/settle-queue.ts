import type { Clock } from './clock.js';
import { errorMessage, type EventBus } from './event-bus.js';
import type { Execution } from './execution.js';
import type { SchedulerLogger } from './logger.js';
import type { HistoryRecord, JobStore, TaskOutcome } from './store/job-store.js';

interface PendingOutcome {
  execution: Execution;
  outcome: TaskOutcome;
  history: HistoryRecord | null;
}

/** Backoff between retries of a failed store write: 100 ms doubling to 30 s. */
export function storeRetryDelay(attempt: number): number {
  return Math.min(30_000, 100 * 2 ** Math.min(attempt, 20));
}

/**
 * Writes run outcomes in batches, one store call at a time (group commit): outcomes that arrive
 * while a write is under way go in the next one. Under load a single `settle` carries hundreds of
 * outcomes; when idle each outcome is written on the next turn of the event loop.
 */
export class SettleQueue {
  private pending: PendingOutcome[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private givingUp = false;

  constructor(
    private readonly deps: {
      store: JobStore;
      owner: string;
      clock: Clock;
      logger: SchedulerLogger;
      events: EventBus;
      maxBatch: number;
      /** Called for each execution once its outcome is written (or refused). */
      onSettled: (execution: Execution) => void;
      /** Called after every batch: the loop may claim again. */
      afterBatch: () => void;
    },
  ) {}

  get isEmpty(): boolean {
    return this.pending.length === 0 && this.flushing === null && !this.scheduled;
  }

  enqueue(execution: Execution, outcome: TaskOutcome, history: HistoryRecord | null): void {
    this.pending.push({ execution, outcome, history });
    this.schedule();
  }

  /** Waits until every queued outcome is written; with `giveUpAfterMs`, stops retrying a failing store then. */
  async drain(giveUpAfterMs?: number): Promise<void> {
    const deadline = giveUpAfterMs === undefined ? Infinity : this.deps.clock.now().getTime() + giveUpAfterMs;
    while (!this.isEmpty) {
      if (this.deps.clock.now().getTime() >= deadline) {
        this.givingUp = true;
        for (const item of this.pending.splice(0)) this.deps.onSettled(item.execution);
      }
      await (this.flushing ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
    this.givingUp = false;
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pending.length === 0) return;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.deps.maxBatch);
    const { store, owner, logger, events } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        const { rejected } = await store.settle(
          owner,
          batch.map((item) => item.outcome),
        );
        if (rejected.length > 0) this.reportRejected(batch, new Set(rejected));
        break;
      } catch (error) {
        logger.error(`Writing ${batch.length} run outcome(s) failed, will retry: ${errorMessage(error)}`);
        if (events.has('store.error')) {
          events.emit('store.error', { operation: 'settle', error: errorMessage(error), instanceId: owner });
        }
        if (this.givingUp) {
          logger.warn(
            `Gave up writing ${batch.length} outcome(s) at shutdown: their leases will expire and they will run again`,
          );
          break;
        }
        await this.deps.clock.sleep(storeRetryDelay(attempt));
      }
    }
    const records = batch.flatMap((item) => (item.history ? [item.history] : []));
    for (const item of batch) this.deps.onSettled(item.execution);
    this.deps.afterBatch();
    if (records.length > 0) {
      try {
        await store.appendHistory(records);
        if (events.has('history.recorded'))
          for (const record of records) events.emit('history.recorded', record);
      } catch (error) {
        logger.warn(`Writing ${records.length} history record(s) failed: ${errorMessage(error)}`);
      }
    }
  }

  private reportRejected(batch: PendingOutcome[], rejected: Set<string>): void {
    for (const item of batch) {
      const { execution } = item;
      const { slug, kind } = execution.task;
      if (!rejected.has(slug)) continue;
      execution.leaseLost = true;
      // The run's outcome was refused: its history record must not say it succeeded or failed.
      if (item.history) item.history = { ...item.history, outcome: 'lease-lost' };
      this.deps.logger.warn(
        `[${kind}:${slug}] outcome not applied: the lease was lost (the task was taken over, replaced or deleted)`,
      );
      if (this.deps.events.has('lease.lost')) {
        this.deps.events.emit('lease.lost', { slug, kind, instanceId: this.deps.owner });
      }
    }
  }
}
