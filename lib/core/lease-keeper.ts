import type { Clock } from './clock.js';
import { errorMessage, type EventBus } from './event-bus.js';
import type { Execution } from './execution.js';
import type { SchedulerLogger } from './logger.js';
import type { JobStore } from './store/job-store.js';

/**
 * Renews, every `leaseMs / 3`, the leases of everything this instance holds, in one store call.
 * A lease the store no longer grants us aborts that job's signal.
 */
export class LeaseKeeper {
  private controller: AbortController | null = null;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      store: JobStore;
      owner: string;
      clock: Clock;
      logger: SchedulerLogger;
      events: EventBus;
      leaseMs: number;
      held: () => Iterable<Execution>;
    },
  ) {}

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.done = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    this.controller = null;
    await this.done;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { store, owner, clock, logger, events, leaseMs } = this.deps;
    const every = Math.max(1, Math.floor(leaseMs / 3));
    while (!signal.aborted) {
      await clock.sleep(every, signal);
      if (signal.aborted) break;
      const executions = [...this.deps.held()].filter((e) => !e.abandoned && !e.leaseLost);
      if (executions.length === 0) continue;
      try {
        const held = new Set(
          await store.extendLease(
            owner,
            executions.map((e) => ({ slug: e.task.slug, version: e.task.version })),
            leaseMs,
          ),
        );
        for (const execution of executions) {
          if (!held.has(execution.task.slug)) this.lost(execution);
        }
      } catch (error) {
        logger.error(`Renewing ${executions.length} lease(s) failed, will retry: ${errorMessage(error)}`);
        if (events.has('store.error')) {
          events.emit('store.error', {
            operation: 'extendLease',
            error: errorMessage(error),
            instanceId: owner,
          });
        }
      }
    }
  }

  private lost(execution: Execution): void {
    const { slug, kind } = execution.task;
    execution.leaseLost = true;
    if (!execution.finished) execution.controller.abort('lease-lost');
    this.deps.logger.warn(`[${kind}:${slug}] lease lost while running: the job's signal is aborted`);
    if (this.deps.events.has('lease.lost')) {
      this.deps.events.emit('lease.lost', { slug, kind, instanceId: this.deps.owner });
    }
  }
}
