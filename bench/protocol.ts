/**
 * The messages between the bench runner and its worker processes (child_process IPC, "advanced"
 * serialization so that typed arrays travel as such).
 */

/** The scheduler options a worker runs with (see bench/README.md for what each does). */
export interface WorkerSchedulerOptions {
  maxConcurrency: number;
  batchSize: number;
  leaseMs: number;
  heartbeat: number;
  wakeupHeartbeat: number;
}

/** What a worker records per execution. */
export type RecordMode =
  /** Only the number at the end of the slug (W1: exactly-once check; slugs are `<prefix>-<n>`). */
  | 'ids'
  /** Slug, scheduled time and start time (W2, W6: lateness and exactly-once per fire). */
  | 'timing'
  /** Nothing is expected to run (W3: idle cost). */
  | 'none';

/** Everything a worker needs to start. */
export interface WorkerConfig {
  /** Connection string of the bench database. */
  url: string;
  /** The kind of the no-op job the worker registers. */
  kind: string;
  /** Connections in the worker's pool (one of them holds LISTEN). */
  poolMax: number;
  scheduler: WorkerSchedulerOptions;
  record: RecordMode;
  /** How often the worker reports its progress, in ms. */
  progressEveryMs: number;
  /**
   * Write a V8 CPU profile of the measured part (from `go` to `stop`) to this directory
   * (`--worker-cpu-prof DIR`); `null` for none.
   */
  profileDir: string | null;
  /** With `profileDir`: also sample allocations (a `.heapprofile` next to the CPU profile). */
  heapProfile: boolean;
}

/** Runner → worker. */
export type ToWorker =
  | { type: 'init'; config: WorkerConfig }
  /** Register the job: the loop starts claiming. */
  | { type: 'go' }
  /** Report CPU time used so far. */
  | { type: 'cpu' }
  /** Graceful stop, then send the report and exit. */
  | { type: 'stop' };

/** One execution as a 'timing' worker saw it. */
export interface TimingSample {
  slug: string;
  /** The fire time the engine ran it for (ms since epoch). */
  scheduledAt: number;
  /** When the job started: high-resolution wall clock (ms since epoch, fractional). */
  startedAt: number;
  /** `Date.now()` at start: the clock the engine itself reads, to count early starts exactly. */
  startedAtMs: number;
}

/** What a worker sends back after it stopped. */
export interface WorkerReport {
  pid: number;
  executed: number;
  /** High-resolution wall time of the first and last job start (ms since epoch). */
  firstAt: number | null;
  lastAt: number | null;
  /** The numbers of the slugs run ('ids' mode), in start order. */
  ids: Int32Array;
  samples: TimingSample[];
  /** process.cpuUsage() at the end (µs). */
  cpu: { user: number; system: number };
  /** How long the graceful stop took (ms). */
  stopMs: number;
}

/** Worker → runner. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; executed: number; lastAt: number | null }
  | { type: 'cpu'; user: number; system: number; at: number }
  | { type: 'report'; report: WorkerReport }
  | { type: 'fatal'; message: string };

/** High-resolution wall clock in ms since the epoch (fractional), comparable across processes. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
