/**
 * Where the engine reads the time and waits. Injectable so that tests run the loop with a
 * {@link VirtualClock} and never sleep.
 */
export interface Clock {
  /** The current time. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or at once when `signal` aborts.
   * Never rejects.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's clock and real timers. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to: `advanceBy(ms)` / `setTime(date)` wake every sleeper
 * whose time has come. Used by tests and by the testing helpers.
 */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | number = Date.UTC(2030, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        wakeAt: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', sleeper.resolve);
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.resolve, { once: true });
      if (ms <= 0) queueMicrotask(sleeper.resolve);
    });
  }

  /** Moves the clock forward and wakes the sleepers that are due. */
  advanceBy(ms: number): void {
    this.setTime(this.current + ms);
  }

  /** Sets the clock (forward only) and wakes the sleepers that are due. */
  setTime(time: Date | number): void {
    const next = typeof time === 'number' ? time : time.getTime();
    if (next < this.current) throw new RangeError('VirtualClock cannot go back in time');
    this.current = next;
    for (const s of [...this.sleepers]) if (s.wakeAt <= this.current) s.resolve();
  }

  /** How many sleeps are pending: lets a test wait until the loop is idle. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }
}
