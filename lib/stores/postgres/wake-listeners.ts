import type { SchedulerLogger } from '../../core/logger.js';

/** Who asked to be woken (`onWake`), and telling them: a listener that throws is logged, never stops the others. */
export class WakeListeners {
  private readonly listeners = new Set<(runAt: Date) => void>();

  constructor(private readonly logger: SchedulerLogger) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: (runAt: Date) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  wake(runAt: Date): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(runAt);
      } catch (error) {
        this.logger.error(
          `A wake-up listener threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
