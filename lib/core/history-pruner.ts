import type { EngineContext } from './engine-context.js';
import { errorMessage } from './error-text.js';

/** How often history is pruned, at most. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Deletes execution history older than the retention, every tenth of it (at most hourly, at least every second). */
export class HistoryPruner {
  private controller: AbortController | null = null;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: EngineContext,
    private readonly retentionMs: number,
  ) {}

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    const every = Math.min(PRUNE_EVERY_MS, Math.max(1000, Math.floor(this.retentionMs / 10)));
    this.done = (async () => {
      while (!controller.signal.aborted) {
        try {
          await this.ctx.store.pruneHistory(new Date(this.ctx.clock.now().getTime() - this.retentionMs));
        } catch (error) {
          this.ctx.logger.warn(`Pruning history failed: ${errorMessage(error)}`);
        }
        await this.ctx.clock.sleep(every, controller.signal);
      }
    })();
  }

  /** Stops pruning; waits at most `waitMs` for a prune under way. */
  async stop(waitMs: number): Promise<void> {
    this.controller?.abort();
    this.controller = null;
    const timer = new AbortController();
    await Promise.race([this.done, this.ctx.clock.sleep(waitMs, timer.signal)]);
    timer.abort();
  }
}
