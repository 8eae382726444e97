/**
 * The messages between the bench runner and its worker processes (child_process IPC, "advanced"
 * serialization so that typed arrays travel as such). The same protocol drives our workers
 * (worker.ts) and the peers' (peers/peer-worker.ts); worker-host.ts is the worker side of it.
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
  /** Only the task's number (W1, enqueue: exactly-once check; our slugs are `<prefix>-<n>`). */
  | 'ids'
  /** Number, scheduled time and start time as objects (W2, W6: lateness and exactly-once per fire). */
  | 'timing'
  /** Number, fire time and start time in typed arrays (W7: 100,000 fires and more). */
  | 'fires'
  /** Nothing is expected to run (W3: idle cost). */
  | 'none';

/** What every worker process needs, whatever it runs. */
export interface HostConfig {
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
  /** Record every store claim and settle: when it started and ended, how many tasks (`--store-trace`). */
  traceStore?: boolean;
}

/** A traced store call (`--store-trace`): what, when (high-resolution wall clock, ms), how many tasks. */
export const TRACE_CLAIM = 0;
export const TRACE_SETTLE = 1;

/** Everything one of our workers (worker.ts) needs to start. */
export interface WorkerConfig extends HostConfig {
  /** Connection string of the bench database. */
  url: string;
  /** The kind of the no-op job the worker registers. */
  kind: string;
  /** Connections in the worker's pool (one of them holds LISTEN); `null`: the library's default. */
  poolMax: number | null;
  /** Options given to `StdScheduler`; an option left out takes the library's default. */
  scheduler: Partial<WorkerSchedulerOptions>;
}

/** Runner → worker. */
export type ToWorker<C extends HostConfig = HostConfig> =
  | { type: 'init'; config: C }
  /** Start running jobs: what the measurement starts from. */
  | { type: 'go' }
  /** Report CPU time used so far. */
  | { type: 'cpu' }
  /** Graceful stop, then send the report and exit. */
  | { type: 'stop' };

/** One execution as a 'timing' worker saw it. */
export interface TimingSample {
  /** The task's number (our slug's suffix, the peers' payload). */
  id: number;
  /** The time the task was due (ms since epoch). */
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
  /** The numbers of the tasks run ('ids' and 'fires' modes), in start order. */
  ids: Int32Array;
  /** 'fires' mode: the fire time (ms since epoch) of each run, parallel to `ids`. */
  fireAt: Float64Array;
  /** 'fires' mode: the start (high-resolution wall clock) of each run, parallel to `ids`. */
  startAt: Float64Array;
  samples: TimingSample[];
  /** `--store-trace`: [op, start, end, tasks] per store call, flattened (op: TRACE_CLAIM, TRACE_SETTLE). */
  trace: Float64Array;
  /** process.cpuUsage() at the end (µs). */
  cpu: { user: number; system: number };
  /** How long the graceful stop took (ms). */
  stopMs: number;
  /** Set by the runner when the worker did not stop in time and was killed (its records are lost). */
  killed?: boolean;
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
