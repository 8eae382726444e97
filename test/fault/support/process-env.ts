/**
 * The worker-process fault environment: two worker processes (fault-worker.mjs on dist/, strict
 * about unhandled rejections) on a real store, each through its own TCP proxy, and a driver
 * scheduler in the test process on a direct connection through which the operations go. Faults:
 * a worker's connections reset or stalled, a worker SIGKILLed (a new one takes its place), a worker
 * stopped while its connections are stalled, and (on a server the test owns) the database restarted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { StoreTask } from '../../../lib/core/job.js';
import { silentLogger } from '../../../lib/core/logger.js';
import { StdScheduler } from '../../../lib/core/scheduler.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import type { FaultCommand } from './commands.js';
import { startFaultWorker, type FaultWorker, type FaultWorkerConfig } from './fault-workers.js';
import { Journal, type Stamp } from './journal.js';
import { RunModel } from './model.js';
import type { FaultEnv, SchedulerApi } from './run-commands.js';
import type { PreparedRun, StoreBackend } from './store-backends.js';

/** Real time of the worker runs (ms). */
export const PROCESS_TIMING = {
  leaseMs: 1_500,
  heartbeat: 250,
  backoffMs: 200,
  timeoutMs: 2_500,
  laterMs: 3_600_000,
  recurringEveryMs: 1_000,
  stopTimeoutMs: 1_500,
  /** A stop may take this much longer than its timeout before it counts as not returning. */
  stopMarginMs: 5_000,
  /** Longest wait for the run to go quiet at the end. */
  quiesceMaxMs: 25_000,
  /** What was due this long before the run went quiet must have run. */
  horizonSlackMs: 1_000,
} as const;

const WORKERS = 2;
const DEBUG = process.env.FAULT_DEBUG === '1';
const debug = (message: string): void => void (DEBUG && process.stderr.write(`[fault]     ${message}\n`));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Slot {
  proxy: TcpProxy;
  worker: FaultWorker;
  generation: number;
  resumeTimer: NodeJS.Timeout | null;
}

export class ProcessFaultEnv implements FaultEnv {
  readonly model = new RunModel();
  readonly journal = new Journal();
  readonly recurringEveryMs = PROCESS_TIMING.recurringEveryMs;
  readonly origin: Stamp;
  private readonly slots: Slot[] = [];
  private readonly workers: FaultWorker[] = [];
  private readonly stoppedByUs = new Set<string>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'nds-fault-'));
  private driver!: StdScheduler;
  private prepared!: PreparedRun;
  private lastDisturbance = 0;

  private constructor(
    readonly label: string,
    private readonly backend: StoreBackend,
  ) {
    this.origin = this.stamp();
  }

  static async create(label: string, backend: StoreBackend): Promise<ProcessFaultEnv> {
    const env = new ProcessFaultEnv(label, backend);
    env.prepared = await backend.prepare();
    env.driver = new StdScheduler(env.prepared.driverStore, { instanceId: 'driver', logger: silentLogger });
    for (let index = 0; index < WORKERS; index++) {
      const proxy = new TcpProxy(backend.target());
      await proxy.start();
      env.slots.push({ proxy, worker: env.spawn(index, 0, proxy), generation: 0, resumeTimer: null });
    }
    await Promise.all(env.slots.map((slot) => env.awaitReady(slot.worker, 30_000)));
    return env;
  }

  private spawn(index: number, generation: number, proxy: TcpProxy): FaultWorker {
    const instanceId = `w${index}${'abcdefghij'[generation] ?? generation}`;
    const address = { host: '127.0.0.1', port: proxy.port };
    const config: FaultWorkerConfig = {
      store: this.backend.name,
      instanceId,
      journal: join(this.dir, `${instanceId}.jsonl`),
      leaseMs: PROCESS_TIMING.leaseMs,
      heartbeat: PROCESS_TIMING.heartbeat,
      stopTimeoutMs: PROCESS_TIMING.stopTimeoutMs,
      timing: PROCESS_TIMING,
      ...this.prepared.workerStore(address),
    };
    const worker = startFaultWorker(config, this.prepared.workerEnv(address));
    this.workers.push(worker);
    return worker;
  }

  /** Waits for a worker to be ready; one that exits first is left for `finish` to report. */
  private async awaitReady(worker: FaultWorker, boundMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
    await Promise.race([worker.ready.catch(() => undefined), bound]);
    clearTimeout(timer);
  }

  stamp(): Stamp {
    const t = performance.timeOrigin + performance.now();
    return { at: t, t };
  }

  now(): Date {
    return new Date();
  }

  via(): SchedulerApi {
    return this.driver;
  }

  viaName(): string {
    return 'driver';
  }

  async settle(): Promise<void> {
    await sleep(30);
  }

  async wait(ms: number): Promise<void> {
    await sleep(ms);
  }

  corrupt(slug: string, schedule: unknown): Promise<boolean> {
    return this.prepared.corrupt(slug, schedule);
  }

  async fault(command: FaultCommand): Promise<string | null> {
    this.lastDisturbance = Date.now();
    switch (command.op) {
      case 'reset': {
        const slot = this.slots[command.worker % this.slots.length];
        slot.proxy.reset();
        return slot.worker.instanceId;
      }
      case 'stall': {
        const slot = this.slots[command.worker % this.slots.length];
        slot.proxy.stall();
        if (slot.resumeTimer) clearTimeout(slot.resumeTimer);
        slot.resumeTimer = setTimeout(() => {
          slot.resumeTimer = null;
          slot.proxy.resume();
        }, command.ms);
        return slot.worker.instanceId;
      }
      case 'kill': {
        const slot = this.slots[command.worker % this.slots.length];
        const victim = slot.worker;
        if (!victim.alive) return null;
        debug(`killing ${victim.instanceId}`);
        await victim.kill();
        debug(`killed ${victim.instanceId}`);
        this.model.killed.set(victim.instanceId, this.stamp());
        await this.replace(command.worker % this.slots.length);
        return victim.instanceId;
      }
      case 'stop-stalled': {
        const index = command.worker % this.slots.length;
        const slot = this.slots[index];
        const worker = slot.worker;
        if (!worker.alive) return null;
        slot.proxy.stall();
        await this.stopWorker(worker, 'while its connections were stalled');
        if (!slot.resumeTimer) slot.proxy.resume();
        await this.replace(index);
        return worker.instanceId;
      }
      case 'restart-db': {
        if (!this.backend.restart) return null;
        await this.backend.restart(command.downMs);
        return 'db';
      }
      default:
        return null;
    }
  }

  private async replace(index: number): Promise<void> {
    const slot = this.slots[index];
    slot.generation += 1;
    slot.worker = this.spawn(index, slot.generation, slot.proxy);
    // Not waited for long: its proxy may be stalled; `quiesce` makes sure it got going.
    await this.awaitReady(slot.worker, 1_000);
  }

  /** SIGTERM; a stop that does not return within its timeout plus a margin is a violation (then SIGKILL). */
  private async stopWorker(worker: FaultWorker, when: string): Promise<void> {
    this.stoppedByUs.add(worker.instanceId);
    const bound = PROCESS_TIMING.stopTimeoutMs + PROCESS_TIMING.stopMarginMs;
    const exit = await worker.stop(bound);
    if (exit === null) {
      this.model.violations.push({
        rule: 'stop-bound',
        message: `${worker.instanceId}: stop({ timeoutMs: ${PROCESS_TIMING.stopTimeoutMs} }) ${when} had not returned ${bound} ms after SIGTERM`,
      });
      await worker.kill();
      this.model.killed.set(worker.instanceId, this.stamp());
    }
  }

  async quiesce(): Promise<Stamp> {
    debug('quiesce: lifting faults');
    for (const slot of this.slots) {
      if (slot.resumeTimer) clearTimeout(slot.resumeTimer);
      slot.resumeTimer = null;
      slot.proxy.resume();
      slot.proxy.accept();
    }
    await Promise.all(this.slots.map((slot) => this.awaitReady(slot.worker, 20_000)));
    debug('quiesce: workers ready, waiting for quiet');
    // Leases of killed or stalled workers must run out before their tasks can be taken over.
    const settleFrom = Math.max(Date.now(), this.lastDisturbance + PROCESS_TIMING.leaseMs + 500);
    const deadline = Date.now() + PROCESS_TIMING.quiesceMaxMs;
    let quietInARow = 0;
    while (Date.now() < deadline && quietInARow < 3) {
      await sleep(300);
      if (Date.now() < settleFrom) continue;
      quietInARow = (await this.isQuiet()) ? quietInARow + 1 : 0;
    }
    debug(`quiesce: ${quietInARow >= 3 ? 'quiet' : 'NOT quiet at the deadline'}`);
    const end = this.stamp();
    return { at: end.at, t: end.t - PROCESS_TIMING.horizonSlackMs };
  }

  /**
   * Nothing is left to happen but recurring fires and tasks moved far ahead: every one-time task that
   * is neither paused nor failed is idle and at least ten minutes away.
   */
  private async isQuiet(): Promise<boolean> {
    let tasks: StoreTask[];
    try {
      tasks = await this.snapshot();
    } catch {
      return false;
    }
    const now = Date.now();
    return tasks.every((task) => {
      if (task.paused || task.failed) return true;
      const held = task.lockedUntil !== null && task.lockedUntil.getTime() > now;
      if (task.schedule !== null) return held || task.runAt.getTime() > now - PROCESS_TIMING.horizonSlackMs;
      return !held && task.runAt.getTime() > now + 10 * 60_000;
    });
  }

  async snapshot(): Promise<StoreTask[]> {
    const tasks: StoreTask[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.prepared.driverStore.list({ limit: 1000, cursor });
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return tasks;
  }

  /** What each worker counted in flight when it was told to stop (from the journals, after `finish`). */
  inFlight(): Array<{ instance: string; count: number; stamp: Stamp }> {
    return this.journal.entries.flatMap((entry) =>
      entry.type === 'stopping' ? [{ instance: entry.instance, count: entry.inFlight, stamp: entry }] : [],
    );
  }

  async finish(): Promise<void> {
    debug('finish: stopping workers');
    await Promise.all(
      this.slots.map((slot) => (slot.worker.alive ? this.stopWorker(slot.worker, 'at the end') : null)),
    );
    for (const worker of this.workers) {
      const exit = worker.alive ? null : await worker.exited;
      this.journal.addFile(join(this.dir, `${worker.instanceId}.jsonl`));
      if (this.model.killed.has(worker.instanceId)) continue;
      const cleanExit = exit !== null && exit.code === 0 && this.stoppedByUs.has(worker.instanceId);
      if (!cleanExit) {
        const last = this.journal.entries
          .filter((e) => 'instance' in e && e.instance === worker.instanceId)
          .at(-1);
        this.model.died.set(worker.instanceId, last ?? this.stamp());
        this.model.violations.push({
          rule: 'process-died',
          message: `worker ${worker.instanceId} ${exit ? `exited (code ${exit.code}, signal ${exit.signal})` : 'is still running'}${
            this.stoppedByUs.has(worker.instanceId) ? '' : ' without being stopped'
          }:\n${worker
            .stderr()
            .split('\n')
            .filter((l) => /fatal|Error/.test(l))
            .slice(0, 8)
            .join('\n')}`,
        });
      }
    }
    for (const entry of this.journal.entries) {
      if (
        entry.type === 'stopped' &&
        entry.stopMs > PROCESS_TIMING.stopTimeoutMs + PROCESS_TIMING.stopMarginMs
      ) {
        this.model.violations.push({
          rule: 'stop-bound',
          message: `${entry.instance}: stop({ timeoutMs: ${PROCESS_TIMING.stopTimeoutMs} }) took ${entry.stopMs} ms`,
        });
      }
    }
  }

  /** The stderr of every worker, for a failure report. */
  stderrTail(lines = 20): string {
    return this.workers
      .map((worker) => `--- ${worker.instanceId}\n${worker.stderr().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  async dispose(): Promise<void> {
    debug('dispose');
    for (const slot of this.slots) if (slot.resumeTimer) clearTimeout(slot.resumeTimer);
    await Promise.all(this.workers.map((worker) => (worker.alive ? worker.kill() : null)));
    debug('dispose: workers gone');
    await Promise.all(this.slots.map((slot) => slot.proxy.close()));
    debug('dispose: proxies closed');
    await this.prepared?.cleanup().catch(() => undefined);
    debug('dispose: store closed');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
