/**
 * The worker side of the bench's IPC protocol (protocol.ts), shared by our worker (worker.ts) and
 * the peers' (peers/peer-worker.ts): it answers `init`, `go`, `cpu` and `stop`, reports progress,
 * records each execution as the run's record mode asks, and profiles the measured part on request.
 * What runs the jobs is the `HostedWorker` the process builds on `init`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

import { wallClock, type FromWorker, type HostConfig, type TimingSample, type ToWorker } from './protocol.js';

/** One instance of a scheduler or queue worker, as a bench worker process runs it. */
export interface HostedWorker {
  /** Starts running jobs: what the measurement starts from. */
  go(): Promise<void>;
  /** Graceful stop: running jobs finish, outcomes are written, connections closed. */
  stop(): Promise<void>;
  /** The store calls it traced (`--store-trace`), flattened [op, start, end, tasks]. */
  trace?(): Float64Array;
}

/** What a job calls when it starts. */
export type RecordRun = (id: number, scheduledAt: number) => void;

/**
 * Builds the instance on `init` (connections, migrations, LISTEN: the process start-up is not
 * measured); its jobs call `record` when they start.
 */
export type BuildWorker<C extends HostConfig> = (config: C, record: RecordRun) => Promise<HostedWorker>;

/** Growable typed arrays of what ran. */
class Runs {
  count = 0;
  ids = new Int32Array(1024);
  fireAt = new Float64Array(0);
  startAt = new Float64Array(0);

  constructor(private readonly withTimes: boolean) {
    if (withTimes) {
      this.fireAt = new Float64Array(1024);
      this.startAt = new Float64Array(1024);
    }
  }

  add(id: number, fireAt: number, startAt: number): void {
    if (this.count === this.ids.length) this.grow();
    this.ids[this.count] = id;
    if (this.withTimes) {
      this.fireAt[this.count] = fireAt;
      this.startAt[this.count] = startAt;
    }
    this.count++;
  }

  private grow(): void {
    const size = this.ids.length * 2;
    const ids = new Int32Array(size);
    ids.set(this.ids);
    this.ids = ids;
    if (this.withTimes) {
      const fireAt = new Float64Array(size);
      fireAt.set(this.fireAt);
      this.fireAt = fireAt;
      const startAt = new Float64Array(size);
      startAt.set(this.startAt);
      this.startAt = startAt;
    }
  }
}

function send(message: FromWorker, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

/** Serves the protocol in this process with the worker `build` makes. */
export function hostWorker<C extends HostConfig>(build: BuildWorker<C>): void {
  let config: C | null = null;
  let worker: HostedWorker | null = null;
  let runs: Runs | null = null;
  let executed = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let reported = -1;
  let progressTimer: NodeJS.Timeout | null = null;
  let profiler: Session | null = null;
  const samples: TimingSample[] = [];

  const record: RecordRun = (id, scheduledAt) => {
    const now = wallClock();
    if (firstAt === null) firstAt = now;
    lastAt = now;
    const mode = config?.record;
    if (mode === 'ids') runs?.add(id, 0, 0);
    else if (mode === 'fires') runs?.add(id, scheduledAt, now);
    else if (mode === 'timing') samples.push({ id, scheduledAt, startedAt: now, startedAtMs: Date.now() });
    executed++;
  };

  async function init(cfg: C): Promise<void> {
    config = cfg;
    runs = new Runs(cfg.record === 'fires');
    worker = await build(cfg, record);
    progressTimer = setInterval(() => {
      if (executed === reported) return;
      reported = executed;
      send({ type: 'progress', executed, lastAt });
    }, cfg.progressEveryMs);
    send({ type: 'ready' });
  }

  async function go(): Promise<void> {
    const cfg = config as C;
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
    await worker?.go();
  }

  async function stop(): Promise<void> {
    if (progressTimer) clearInterval(progressTimer);
    const cfg = config as C;
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
    await worker?.stop();
    const stopMs = wallClock() - started;
    const cpu = process.cpuUsage();
    const count = runs?.count ?? 0;
    // Disconnect only once the (possibly large) report is flushed to the runner.
    send(
      {
        type: 'report',
        report: {
          pid: process.pid,
          executed,
          firstAt,
          lastAt,
          ids: runs ? runs.ids.slice(0, count) : new Int32Array(0),
          fireAt: runs ? runs.fireAt.slice(0, cfg.record === 'fires' ? count : 0) : new Float64Array(0),
          startAt: runs ? runs.startAt.slice(0, cfg.record === 'fires' ? count : 0) : new Float64Array(0),
          samples,
          trace: worker?.trace?.() ?? new Float64Array(0),
          cpu,
          stopMs,
        },
      },
      () => process.disconnect?.(),
    );
  }

  process.on('message', (message: ToWorker<C>) => {
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
}
