import type { EngineContext } from './engine-context.js';
import { needsLease, type Execution } from './execution.js';

/** At most one "renewal was late" warning per this many ms. */
const LATE_WARNING_EVERY_MS = 60_000;

/**
 * Renews, every `leaseMs / 3`, the leases of everything this instance holds, in one store call.
 * A lease the store no longer grants us aborts that job's signal (reason `lease-lost`).
 *
 * A renewal that takes longer than `leaseMs / 3` is reported: leases then come close to running
 * out while their jobs still run, and the usual cause is a connection pool shared with jobs that
 * hold its connections (see docs/postgres.md).
 */
export class LeaseKeeper {
  private controller: AbortController | null = null;
  private done: Promise<void> = Promise.resolve();
  private lastLateWarning = -Infinity;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: {
      /** Every execution of this instance that is not settled. */
      held: () => Iterable<Execution>;
      /** Aborts a run whose lease was lost. */
      abort: (execution: Execution) => void;
    },
  ) {}

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.done = this.run(controller.signal);
  }

  /** Stops renewing; waits at most `waitMs` for a renewal under way (the store call is bounded anyway). */
  async stop(waitMs = Infinity): Promise<void> {
    this.controller?.abort();
    this.controller = null;
    if (waitMs === Infinity) return this.done;
    const timer = new AbortController();
    await Promise.race([this.done, this.ctx.clock.sleep(waitMs, timer.signal)]);
    timer.abort();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { store, clock, settings } = this.ctx;
    const every = Math.max(1, Math.floor(settings.leaseMs / 3));
    while (!signal.aborted) {
      await clock.sleep(every, signal);
      if (signal.aborted) break;
      const executions = [...this.hooks.held()].filter(needsLease);
      if (executions.length === 0) continue;
      const started = clock.now().getTime();
      const leases = executions.map((e) => ({ slug: e.task.slug, version: e.task.version }));
      try {
        const held = new Set(await store.extendLease(settings.owner, leases, settings.leaseMs));
        for (const [i, execution] of executions.entries()) {
          if (held.has(execution.task.slug)) continue;
          // Settled meanwhile (its outcome cleared the lease), or claimed again by this instance under
          // a new version: neither is a lost lease.
          if (!needsLease(execution) || execution.task.version !== leases[i].version) continue;
          this.ctx.reportLeaseLost(execution, "lease lost while running: the job's signal is aborted");
          this.hooks.abort(execution);
        }
      } catch (error) {
        this.ctx.reportStoreError('extendLease', error, `will retry ${executions.length} lease(s)`);
      }
      this.warnIfLate(executions.length, clock.now().getTime() - started, every);
    }
  }

  private warnIfLate(count: number, tookMs: number, everyMs: number): void {
    if (tookMs <= everyMs) return;
    const now = this.ctx.clock.now().getTime();
    if (now - this.lastLateWarning < LATE_WARNING_EVERY_MS) return;
    this.lastLateWarning = now;
    this.ctx.logger.warn(
      `Renewing ${count} lease(s) took ${tookMs} ms, more than leaseMs/3 (${everyMs} ms): leases may run out while their jobs run. ` +
        'If the store shares a connection pool with jobs that hold connections, give the pool more connections than maxConcurrency (see docs/postgres.md).',
    );
  }
}
