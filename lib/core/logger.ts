/**
 * The logger the engine writes to. Nest's `Logger` fits it, and so does `console`.
 * Every line the engine writes about a task names its slug and kind.
 */
export interface SchedulerLogger {
  log(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
  debug?(message: string, ...meta: unknown[]): void;
}

/** Writes to the console with a `[scheduler]` prefix; `debug` lines are dropped. */
export const consoleLogger: SchedulerLogger = {
  log: (message, ...meta) => console.log(`[scheduler] ${message}`, ...meta),
  warn: (message, ...meta) => console.warn(`[scheduler] ${message}`, ...meta),
  error: (message, ...meta) => console.error(`[scheduler] ${message}`, ...meta),
};

/** Drops everything: for tests and benchmarks. */
export const silentLogger: SchedulerLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
