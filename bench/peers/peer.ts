/**
 * What the comparison needs from each peer (graphile-worker.ts, pg-boss.ts, bullmq.ts): a producer
 * for the runner (bulk enqueue, one delayed job, W7's schedules), a worker for the worker processes,
 * and what the peer can say about W7.
 */
import type { PeerName } from '../cli-options.js';
import type { HostConfig } from '../protocol.js';
import type { HostedWorker, RecordRun } from '../worker-host.js';

/** Where a peer keeps its jobs for one workload: a fresh database, or a Redis key prefix. */
export type PeerTarget =
  { backend: 'postgres'; url: string } | { backend: 'redis'; url: string; prefix: string };

/** The job every peer runs: a no-op that records its number. */
export const PEER_TASK = 'noop';

/** W7 as a peer's workers run it. */
export interface PeerCron {
  /** Tasks 1..tasks, each its own schedule. */
  tasks: number;
  /** The fire every schedule has at the boundary (ms since epoch). */
  boundary: number;
}

/** Everything a peer's worker process needs. */
export interface PeerWorkerConfig extends HostConfig {
  peer: PeerName;
  target: PeerTarget;
  /** Set for W7: the workers run the schedules (graphile-worker's crontab lives in the workers). */
  cron: PeerCron | null;
}

/** The runner's side of a peer on one target. */
/** The job numbers `from`..`to` (inclusive) in runs of at most `chunk`: one bulk call each. */
export function* jobNumberChunks(from: number, to: number, chunk: number): Generator<number[]> {
  for (let start = from; start <= to; start += chunk) {
    const numbers: number[] = [];
    for (let n = start; n < start + chunk && n <= to; n++) numbers.push(n);
    yield numbers;
  }
}

export interface PeerProducer {
  /** Jobs `from..to` due now, through the peer's bulk call, `chunk` at a time. */
  addBulk(from: number, to: number, chunk: number): Promise<void>;
  /** One job due at `due` (ms since epoch). */
  addAt(n: number, due: number): Promise<void>;
  close(): Promise<void>;
}

/** What a peer can do of W7 at a given size. */
export type W7Plan =
  | {
      supported: true;
      /** Tasks actually scheduled (a peer may only afford fewer: said in `note`). */
      tasks: number;
      /** The boundary must be a whole minute (minute-level cron) or may be any second. */
      granularity: 'minute' | 'second';
      /** Seconds of set-up to allow before the boundary. */
      leadMs: number;
      note: string;
    }
  | { supported: false; note: string };

/** The peer's state after W7: is every schedule at its next fire? */
export interface W7State {
  rescheduled: boolean;
  note: string;
}

export interface PeerAdapter {
  readonly name: PeerName;
  readonly version: string;
  readonly backend: 'postgres' | 'redis';
  /** What the workers run with, from the peer's documentation (bench/README.md cites it). */
  readonly settings: Record<string, unknown>;
  /** Installs the peer's schema on a fresh target (not measured). */
  prepare(target: PeerTarget): Promise<void>;
  producer(target: PeerTarget): Promise<PeerProducer>;
  /** Jobs not yet done (waiting, delayed, running, failed). */
  pending(target: PeerTarget): Promise<number>;
  /** Builds the worker of one worker process (called there). */
  worker(config: PeerWorkerConfig, record: RecordRun): Promise<HostedWorker>;
  w7Plan(tasks: number): W7Plan;
  /** Creates the schedules of W7 (before the workers start; nothing for a crontab in the workers). */
  w7SetUp(target: PeerTarget, cron: PeerCron): Promise<void>;
  w7State(target: PeerTarget, cron: PeerCron): Promise<W7State>;
  /** Runs with fire times rounded by the peer are accepted within this tolerance (ms). */
  readonly fireToleranceMs: number;
}
