import type { Clock } from './clock.js';

/**
 * Lets the loop sleep on the clock and be woken early: by a local `scheduleJob`, a store wake-up
 * (NOTIFY), a freed execution slot, or `stop()`.
 */
export class Waker {
  private controller = new AbortController();
  /** When the current sleep would end on its own (ms since epoch); `Infinity` when awake. */
  private sleepingUntil = Infinity;

  constructor(private readonly clock: Clock) {}

  /** Sleeps up to `ms`, or until {@link wake}. A wake that came while awake ends the next sleep at once. */
  async sleep(ms: number): Promise<void> {
    if (this.controller.signal.aborted) {
      this.controller = new AbortController();
      return;
    }
    this.sleepingUntil = this.clock.now().getTime() + ms;
    await this.clock.sleep(ms, this.controller.signal);
    this.sleepingUntil = Infinity;
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  /** When the current sleep ends on its own (ms since epoch); `Infinity` while awake. */
  get wakesAt(): number {
    return this.sleepingUntil;
  }

  /** Wakes the sleeper now (or makes its next sleep return at once). */
  wake(): void {
    this.controller.abort();
  }

  /** Wakes the sleeper only if it sleeps toward a time later than `runAt`. */
  wakeFor(runAt: Date): void {
    if (runAt.getTime() < this.sleepingUntil) this.wake();
  }
}
