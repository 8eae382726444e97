/** What every workload gets and returns. */
import type { BenchServer } from '../pg-server.js';
import type { WorkerSchedulerOptions } from '../protocol.js';

/** The runner's options that workloads read. */
export interface BenchOptions {
  /** W1 job counts (default 20,000 and 100,000). */
  jobs: number[];
  /** W1 worker counts (default 1 and 2). */
  workers: number[];
  /** How many times each workload variant runs. */
  repeat: number;
  /** Scheduler options of the PostgreSQL workers (W1, W2, W3, W6). */
  scheduler: WorkerSchedulerOptions;
  /** Pool size of each PostgreSQL worker. */
  poolMax: number;
  /** W5 scheduler options (memory store, one process). */
  memory: { maxConcurrency: number; batchSize: number; jobs: number };
  /** W4 sizes (default 1,000 and 1,000,000). */
  scaleSizes: number[];
  /** W3 measurement window in seconds (default 10). */
  idleSeconds: number;
  /** Print pg_stat_statements' top statements after each PostgreSQL workload (when available). */
  statements: boolean;
  /** Extra node flags for the workers. */
  workerExecArgv: string[];
  /** Where workers write a CPU profile of the measured part (`--worker-cpu-prof DIR`), or null. */
  profileDir: string | null;
  /** With `profileDir`: workers also write an allocation profile (`--worker-heap-prof`). */
  heapProfile: boolean;
  /** Print per-workload diagnostics (`--debug`): W2's latest starts, W3's per-second counters, W6's seconds. */
  debug: boolean;
  /** `--store-trace`: our workers trace their claims and settles. */
  storeTrace: boolean;
  /** Redis for BullMQ in `--compare` (`--redis-url`). */
  redisUrl: string;
  /** ENQ: tasks, bulk chunk size, `scheduleJob` calls in flight without the bulk call. */
  enqueue: { jobs: number; chunk: number; inFlight: number };
  /** W7: sizes (due among total), `maxConcurrency`, workers, set-up lead (null: by size), memory run. */
  w7: {
    variants: Array<{ due: number; total: number }>;
    maxConcurrency: number;
    workers: number;
    /** `--w7-batch-size` (null: the library's default). */
    batchSize: number | null;
    leadMs: number | null;
    memory: boolean;
  };
}

/** What a workload gets. */
export interface WorkloadContext {
  server: BenchServer;
  options: BenchOptions;
  /** A progress line on stderr. */
  log(message: string): void;
}

/** One measured figure set: one line of the table and one JSON line of the results. */
export interface WorkloadResult {
  workload: string;
  /** Who ran it: this library when absent, else a peer of `--compare` (`graphile-worker`, …). */
  system?: string;
  variant: string;
  /** The figures in a few words, for the table. */
  summary: string;
  /** The target for this variant, or '' when it has none. */
  target: string;
  /** Whether the target was met (null: no target). */
  met: boolean | null;
  metrics: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** A workload: runs its variants once and returns one result per variant. */
export type Workload = (ctx: WorkloadContext) => Promise<WorkloadResult[]>;

/**
 * The row of a workload that threw: logged with its stack, the run's exit code set, and a result
 * that says FAILED, so that one failing workload does not hide the others' figures.
 */
export function failedResult(
  error: unknown,
  log: (line: string) => void,
  what: { workload: string; system?: string; label: string },
): WorkloadResult {
  const message = error instanceof Error ? error.message : String(error);
  log(`${what.label} FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
  process.exitCode = 1;
  return {
    workload: what.workload,
    ...(what.system !== undefined && { system: what.system }),
    variant: 'failed',
    summary: `FAILED: ${message}`,
    target: '',
    met: false,
    metrics: {},
    options: {},
  };
}
