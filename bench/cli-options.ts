/** The runner's command line (`npm run bench -- --help`). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { BenchOptions } from './workloads/workload.js';

/** Every workload, in running order. */
export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'ENQ', 'POL'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** The runner's options. */
export interface RunnerOptions extends BenchOptions {
  only: WorkloadName[];
  pgUrl: string | undefined;
  save: boolean;
  /** `--compare`: ENQ+W1, W2 and W7 on this library and on the peers (bench/peers), one table. */
  compare: boolean;
  /** The peers to compare with (`--peers`), in order. */
  peers: PeerName[];
  /** `--compare --skip-ours`: only the peers (to measure one again). */
  skipOurs: boolean;
  /** The peers' W7 sizes where they cannot take 100,000 (`--pgboss-schedules`, `--graphile-cron-items`). */
  peerW7Caps: { pgBossSchedules: number; graphileCronItems: number };
}

/** The peers `--compare` knows. */
export const PEERS = ['graphile-worker', 'pg-boss', 'bullmq'] as const;
export type PeerName = (typeof PEERS)[number];

export const USAGE = `Usage: npm run bench -- [options]

  --only W1,W2,...           workloads to run (default: all of ${WORKLOADS.join(',')})
  --compare                  this library and its peers (graphile-worker, pg-boss, BullMQ) in one
                             run: ENQ then W1 (100,000 jobs, K = 2), W2, W7 (100,000 due); one
                             table with ratios. Needs: npm ci --prefix bench/peers
  --peers a,b                peers to compare with (default: ${PEERS.join(',')})
  --skip-ours                with --compare: only the peers
  --redis-url URL            Redis for BullMQ (default redis://127.0.0.1:6379; skipped when down)
  --pgboss-schedules N       pg-boss W7 schedules, one queue each (default 100)
  --graphile-cron-items N    graphile-worker W7 crontab items (default 10000)
  --repeat N                 run each workload N times (default 1)
  --pg-url URL               PostgreSQL server (default: $PG_URL, else an embedded server)
  --no-save                  do not append to bench/results/<date>.jsonl

 PostgreSQL workers (W1, W2, W3, W6):
  --jobs 20000,100000        W1 job counts
  --workers 1,2              W1 worker process counts
  --max-concurrency N        jobs in flight per worker (default 1000)
  --batch-size N             tasks per claim (default 500)
  --lease-ms N               lease length (default 30000)
  --heartbeat N              idle poll without NOTIFY, ms (default 1000)
  --wakeup-heartbeat N       idle poll with NOTIFY, ms (default 10000)
  --pool-max N               connections per worker (default 4)
  --idle-seconds N           W3 window (default 10)

 Memory store (W5):
  --memory-jobs N            (default 100000)
  --memory-max-concurrency N (default 1000)
  --memory-batch-size N      (default 500)

 W4:
  --scale-sizes 1000,1000000

 ENQ (enqueue):
  --enqueue-jobs N           tasks to create (default 100000)
  --enqueue-chunk N          tasks per scheduleJobs call, when the library has it (default 5000)
  --enqueue-in-flight N      scheduleJob calls at once otherwise (default 200)

 W7 (a fleet of schedules; library defaults but maxConcurrency, pool included):
  --w7 DUE/TOTAL,...         sizes (default 100000/100000,10000/10000,10000/1000000)
  --w7-max-concurrency N     (default 1000)
  --w7-workers N             (default 2)
  --w7-batch-size N          batchSize (default: the library's, = maxConcurrency); an experiment:
                             W7's goal is with the library's defaults but maxConcurrency
  --w7-lead-ms N             set-up time allowed before the boundary (default 8000 + 0.04 ms/task)
  --no-w7-memory             skip the memory-store reference run

 Profiling:
  --statements               print pg_stat_statements' top statements per workload (the embedded
                             server preloads it with this flag; a PG_URL server must preload it)
  --worker-cpu-prof DIR      each worker writes a V8 CPU profile of the measured part (go to
                             stop) to DIR; summarise with node build/bench/profile-summary.js
  --worker-heap-prof         with --worker-cpu-prof: also an allocation profile (.heapprofile)
  --store-trace              our workers record each claim and settle (time, tasks); W1 and W7 print
                             a summary per worker
  --debug                    diagnostics: W2's latest starts, W3's counters second by second (and
                             log_statement = 'all' on its database), W6's lateness per second
`;

function list(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${part}`);
    return n;
  });
}

function num(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
  return n;
}

/** Parses argv; null when --help was asked for. */
export function parseOptions(argv: string[]): RunnerOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' },
      only: { type: 'string' },
      repeat: { type: 'string' },
      'pg-url': { type: 'string' },
      'no-save': { type: 'boolean' },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      'max-concurrency': { type: 'string' },
      'batch-size': { type: 'string' },
      'lease-ms': { type: 'string' },
      heartbeat: { type: 'string' },
      'wakeup-heartbeat': { type: 'string' },
      'pool-max': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'memory-jobs': { type: 'string' },
      'memory-max-concurrency': { type: 'string' },
      'memory-batch-size': { type: 'string' },
      'scale-sizes': { type: 'string' },
      compare: { type: 'boolean' },
      peers: { type: 'string' },
      'skip-ours': { type: 'boolean' },
      'redis-url': { type: 'string' },
      'pgboss-schedules': { type: 'string' },
      'graphile-cron-items': { type: 'string' },
      'enqueue-jobs': { type: 'string' },
      'enqueue-chunk': { type: 'string' },
      'enqueue-in-flight': { type: 'string' },
      w7: { type: 'string' },
      'w7-max-concurrency': { type: 'string' },
      'w7-workers': { type: 'string' },
      'w7-batch-size': { type: 'string' },
      'store-trace': { type: 'boolean' },
      'w7-lead-ms': { type: 'string' },
      'no-w7-memory': { type: 'boolean' },
      statements: { type: 'boolean' },
      'worker-cpu-prof': { type: 'string' },
      'worker-heap-prof': { type: 'boolean' },
      debug: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return null;
  const only = (values.only ?? WORKLOADS.join(','))
    .split(',')
    .map((w) => w.trim().toUpperCase())
    .filter((w) => w !== '');
  for (const w of only) {
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}`);
  }
  const peers = (values.peers ?? PEERS.join(','))
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '');
  for (const p of peers) {
    if (!(PEERS as readonly string[]).includes(p))
      throw new Error(`unknown peer ${p} (known: ${PEERS.join(', ')})`);
  }
  const profDir = values['worker-cpu-prof'];
  return {
    only: only as WorkloadName[],
    pgUrl: values['pg-url'] ?? process.env.PG_URL ?? undefined,
    save: !values['no-save'],
    compare: values.compare ?? false,
    peers: peers as PeerName[],
    skipOurs: values['skip-ours'] ?? false,
    redisUrl: values['redis-url'] ?? 'redis://127.0.0.1:6379',
    peerW7Caps: {
      pgBossSchedules: num(values['pgboss-schedules'], 100),
      graphileCronItems: num(values['graphile-cron-items'], 10_000),
    },
    jobs: list(values.jobs, [20_000, 100_000]),
    workers: list(values.workers, [1, 2]),
    repeat: num(values.repeat, 1),
    scheduler: {
      maxConcurrency: num(values['max-concurrency'], 1000),
      batchSize: num(values['batch-size'], 500),
      leaseMs: num(values['lease-ms'], 30_000),
      heartbeat: num(values.heartbeat, 1000),
      wakeupHeartbeat: num(values['wakeup-heartbeat'], 10_000),
    },
    poolMax: num(values['pool-max'], 4),
    idleSeconds: num(values['idle-seconds'], 10),
    memory: {
      jobs: num(values['memory-jobs'], 100_000),
      maxConcurrency: num(values['memory-max-concurrency'], 1000),
      batchSize: num(values['memory-batch-size'], 500),
    },
    scaleSizes: list(values['scale-sizes'], [1000, 1_000_000]),
    statements: values.statements ?? false,
    workerExecArgv: [],
    profileDir: profDir ? resolve(profDir) : null,
    heapProfile: values['worker-heap-prof'] ?? false,
    debug: values.debug ?? false,
    storeTrace: values['store-trace'] ?? false,
    enqueue: {
      jobs: num(values['enqueue-jobs'], 100_000),
      chunk: num(values['enqueue-chunk'], 5000),
      inFlight: num(values['enqueue-in-flight'], 200),
    },
    w7: {
      variants: w7Variants(values.w7 ?? '100000/100000,10000/10000,10000/1000000'),
      maxConcurrency: num(values['w7-max-concurrency'], 1000),
      workers: num(values['w7-workers'], 2),
      batchSize: values['w7-batch-size'] === undefined ? null : num(values['w7-batch-size'], 0),
      leadMs: values['w7-lead-ms'] === undefined ? null : num(values['w7-lead-ms'], 0),
      memory: !values['no-w7-memory'],
    },
  };
}

/** `100000/100000,10000/1000000` → [{ due, total }]. */
function w7Variants(value: string): Array<{ due: number; total: number }> {
  return value.split(',').map((part) => {
    const [due, total] = part.split('/').map((n) => num(n.trim(), 0));
    if (!Number.isInteger(due) || !Number.isInteger(total ?? due) || (total ?? due) < due) {
      throw new Error(`--w7: ${part} is not DUE/TOTAL with DUE <= TOTAL`);
    }
    return { due, total: total ?? due };
  });
}
