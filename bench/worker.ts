/**
 * One bench worker: a separate OS process, like one instance of an application, running a
 * `StdScheduler` on a `PostgresStore`. Forked by bench/fleet.ts; driven over IPC (protocol.ts).
 *
 * On `init` it builds the store and the scheduler, registers the no-op job and initialises the store
 * (connection, migrations, LISTEN), so that the process start-up is not measured; on `go` it calls
 * `scheduler.start()`, which is what the measurement starts from.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

import type { StoreTask, JobContext } from '../lib/core/job.js';
import type { SchedulerLogger } from '../lib/core/logger.js';
import { StdScheduler } from '../lib/core/scheduler.js';
import { PostgresStore } from '../lib/stores/postgres/index.js';
import {
  wallClock,
  type FromWorker,
  type TimingSample,
  type ToWorker,
  type WorkerConfig,
} from './protocol.js';

/** Warnings and errors go to stderr (a bench that hides trouble is worse than a noisy one). */
const logger: SchedulerLogger = {
  log: () => undefined,
  warn: (message) => process.stderr.write(`[worker ${process.pid}] ${message}\n`),
  error: (message) => process.stderr.write(`[worker ${process.pid}] ERROR ${message}\n`),
};

function record(): string {
  return config?.record ?? 'none';
}

function send(message: FromWorker, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

let scheduler: StdScheduler | null = null;
let store: PostgresStore | null = null;
let config: WorkerConfig | null = null;
let executed = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let reported = -1;
let progressTimer: NodeJS.Timeout | null = null;
let ids = new Int32Array(1024);
let profiler: Session | null = null;
const samples: TimingSample[] = [];

async function init(cfg: WorkerConfig): Promise<void> {
  config = cfg;
  store = new PostgresStore({ connectionString: cfg.url, poolConfig: { max: cfg.poolMax }, logger });
  scheduler = new StdScheduler(store, { ...cfg.scheduler, logger });
  registerJob(cfg);
  await store.init();
  progressTimer = setInterval(() => {
    if (executed === reported) return;
    reported = executed;
    send({ type: 'progress', executed, lastAt });
  }, cfg.progressEveryMs);
  send({ type: 'ready' });
}

async function go(): Promise<void> {
  const cfg = config as WorkerConfig;
  if (cfg.profileDir) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
    if (cfg.heapProfile) {
      // Allocation sampling, including objects the GC already collected: where the garbage comes from.
      await profiler.post('HeapProfiler.enable');
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
  }
  await scheduler?.start();
}

function registerJob(cfg: WorkerConfig): void {
  const record = cfg.record;
  scheduler?.registerJob({
    kind: cfg.kind,
    execute: async (task: StoreTask, ctx: JobContext) => {
      const now = wallClock();
      if (firstAt === null) firstAt = now;
      lastAt = now;
      if (record === 'ids') {
        if (executed === ids.length) {
          const grown = new Int32Array(ids.length * 2);
          grown.set(ids);
          ids = grown;
        }
        ids[executed] = Number(task.slug.slice(task.slug.lastIndexOf('-') + 1));
      } else if (record === 'timing') {
        samples.push({
          slug: task.slug,
          scheduledAt: ctx.scheduledAt.getTime(),
          startedAt: now,
          startedAtMs: Date.now(),
        });
      }
      executed++;
    },
  });
}

async function stop(): Promise<void> {
  if (progressTimer) clearInterval(progressTimer);
  const cfg = config as WorkerConfig;
  if (profiler && cfg.profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(join(cfg.profileDir, `worker-${process.pid}.cpuprofile`), JSON.stringify(profile));
    if (cfg.heapProfile) {
      const { profile: heap } = await profiler.post('HeapProfiler.stopSampling');
      writeFileSync(join(cfg.profileDir, `worker-${process.pid}.heapprofile`), JSON.stringify(heap));
    }
    profiler.disconnect();
  }
  const started = wallClock();
  await scheduler?.stop({ timeoutMs: 10_000 });
  await store?.close();
  const stopMs = wallClock() - started;
  const cpu = process.cpuUsage();
  // Disconnect only once the (possibly large) report is flushed to the runner.
  send(
    {
      type: 'report',
      report: {
        pid: process.pid,
        executed,
        firstAt,
        lastAt,
        ids: ids.slice(0, record() === 'ids' ? executed : 0),
        samples,
        cpu,
        stopMs,
      },
    },
    () => process.disconnect?.(),
  );
}

process.on('message', (message: ToWorker) => {
  const fail = (error: unknown): void => {
    process.exitCode = 1;
    send(
      { type: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
      () => process.disconnect?.(),
    );
  };
  switch (message.type) {
    case 'init':
      init(message.config).catch(fail);
      break;
    case 'go':
      go().catch(fail);
      break;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', user, system, at: wallClock() });
      break;
    }
    case 'stop':
      stop().catch(fail);
      break;
  }
});

// The runner died: do not linger.
process.on('disconnect', () => {
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
});
