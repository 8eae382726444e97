/**
 * One bench worker: a separate OS process, like one instance of an application, running a
 * `StdScheduler` on a `PostgresStore`. Forked by bench/fleet.ts; driven over IPC (protocol.ts,
 * worker-host.ts).
 *
 * On `init` it builds the store and the scheduler, registers the no-op job and initialises the store
 * (connection, migrations, LISTEN), so that the process start-up is not measured; on `go` it calls
 * `scheduler.start()`, which is what the measurement starts from.
 */
import type { JobContext, StoreTask } from '../lib/core/job.js';
import type { SchedulerLogger } from '../lib/core/logger.js';
import { StdScheduler } from '../lib/core/scheduler.js';
import { PostgresStore } from '../lib/stores/postgres/index.js';
import { TRACE_CLAIM, TRACE_SETTLE, wallClock, type WorkerConfig } from './protocol.js';
import { hostWorker, type HostedWorker, type RecordRun } from './worker-host.js';

/** Warnings and errors go to stderr (a bench that hides trouble is worse than a noisy one). */
const logger: SchedulerLogger = {
  log: () => undefined,
  warn: (message) => process.stderr.write(`[worker ${process.pid}] ${message}\n`),
  error: (message) => process.stderr.write(`[worker ${process.pid}] ERROR ${message}\n`),
};

/** The number at the end of a bench slug (`w1-123` → 123). */
function slugNumber(slug: string): number {
  return Number(slug.slice(slug.lastIndexOf('-') + 1));
}

async function build(config: WorkerConfig, record: RecordRun): Promise<HostedWorker> {
  const store = new PostgresStore({
    connectionString: config.url,
    ...(config.poolMax === null ? {} : { poolConfig: { max: config.poolMax } }),
    logger,
  });
  const scheduler = new StdScheduler(store, { ...config.scheduler, logger });
  scheduler.registerJob({
    kind: config.kind,
    execute: async (task: StoreTask, ctx: JobContext) => {
      record(slugNumber(task.slug), ctx.scheduledAt.getTime());
    },
  });
  await store.init();
  const trace = config.traceStore ? traceStore(store) : null;
  return {
    go: () => scheduler.start(),
    stop: async () => {
      await scheduler.stop({ timeoutMs: 10_000 });
      await store.close();
    },
    trace: () => Float64Array.from(trace ?? []),
  };
}

/**
 * Wraps the store's claim and settle to record each call: [op, start, end, tasks] (a profiling aid:
 * where the time of a run goes between the database and the engine).
 */
function traceStore(store: PostgresStore): number[] {
  const trace: number[] = [];
  const claim = store.claim.bind(store);
  const settle = store.settle.bind(store);
  store.claim = async (request) => {
    const start = wallClock();
    const tasks = await claim(request);
    trace.push(TRACE_CLAIM, start, wallClock(), tasks.length);
    return tasks;
  };
  store.settle = async (owner, outcomes) => {
    const start = wallClock();
    const result = await settle(owner, outcomes);
    trace.push(TRACE_SETTLE, start, wallClock(), outcomes.length);
    return result;
  };
  return trace;
}

hostWorker(build);
