/**
 * The comparison's workloads on a peer, measured as on this library (the same fleet of K worker
 * processes, the same clocks, the same checks):
 * - ENQ then W1: N jobs due now through the peer's bulk call (measured: jobs/s), VACUUM ANALYZE and
 *   CHECKPOINT (PostgreSQL), then K = 2 workers run them (measured: executions/s until the last
 *   start; checked: every job once, none left);
 * - W2: K = 2 idle workers; 500 jobs added one by one, each due 1-10 s ahead; lateness, early starts;
 * - W7: the peer's recurring schedules, all firing on one boundary (see each adapter for what it can
 *   express); spread to the last start, lateness; every (task, fire) once; the peer's schedule state.
 * Each workload runs on a fresh database (PostgreSQL peers) or key prefix (Redis), removed afterwards.
 */
import { fileURLToPath } from 'node:url';

import { backendCpu, cpuBetween } from '../backend-cpu.js';
import { Fleet } from '../fleet.js';
import { createDatabase } from '../pg-server.js';
import type { RecordMode } from '../protocol.js';
import { settleDatabase } from '../setup-sql.js';
import { distribution, fixed, int, sleep } from '../stats.js';
import { checkFires, describeFires, meetsGoal } from '../workloads/w7-fires.js';
import { W7_TARGET } from '../workloads/w7-fleet.js';
import type { WorkloadContext, WorkloadResult } from '../workloads/workload.js';
import type { PeerAdapter, PeerCron, PeerTarget, PeerWorkerConfig } from './peer.js';
import { dropRedisTarget, redisTarget } from './redis-target.js';

const PEER_WORKER_SCRIPT = fileURLToPath(new URL('./peer-worker.js', import.meta.url));
const WORKERS = 2;
const W2_JOBS = 500;

type Track = (fleet: Fleet) => Fleet;

/** Runs `work` on a fresh target of the peer's backend, then removes it. */
async function withPeerTarget<T>(
  ctx: WorkloadContext,
  adapter: PeerAdapter,
  label: string,
  work: (target: PeerTarget, track: Track) => Promise<T>,
): Promise<T> {
  const fleets: Fleet[] = [];
  const track: Track = (fleet) => {
    fleets.push(fleet);
    return fleet;
  };
  if (adapter.backend === 'redis') {
    const target = redisTarget(ctx.options.redisUrl, label);
    try {
      return await work(target, track);
    } finally {
      for (const fleet of fleets) await fleet.kill();
      await dropRedisTarget(target);
    }
  }
  const db = await createDatabase(ctx.server.url, `${label}_${adapter.name.replace(/-/g, '')}`);
  try {
    const target: PeerTarget = { backend: 'postgres', url: db.url };
    await adapter.prepare(target);
    return await work(target, track);
  } finally {
    for (const fleet of fleets) await fleet.kill();
    await db.drop();
  }
}

function workerConfig(
  adapter: PeerAdapter,
  target: PeerTarget,
  record: RecordMode,
  cron: PeerCron | null = null,
): PeerWorkerConfig {
  return {
    peer: adapter.name,
    target,
    cron,
    record,
    progressEveryMs: 20,
    profileDir: null,
    heapProfile: false,
  };
}

function databaseName(target: PeerTarget): string | null {
  return target.backend === 'postgres' ? new URL(target.url).pathname.slice(1) : null;
}

/** ENQ then W1 on the peer: N jobs through its bulk call, then K = 2 workers run them. */
export async function peerEnqueueThenBurst(
  ctx: WorkloadContext,
  adapter: PeerAdapter,
): Promise<WorkloadResult[]> {
  const { jobs, chunk } = ctx.options.enqueue;
  return withPeerTarget(ctx, adapter, 'enq', async (target, track) => {
    const producer = await adapter.producer(target);
    let seconds: number;
    try {
      await producer.addBulk(jobs + 1, jobs + 1, 1); // connection and statements warm; not counted below
      ctx.log(`${adapter.name} ENQ: ${int(jobs)} jobs`);
      const t0 = performance.now();
      await producer.addBulk(1, jobs, chunk);
      seconds = (performance.now() - t0) / 1000;
    } finally {
      await producer.close();
    }
    const queued = await adapter.pending(target);
    const enq: WorkloadResult = {
      workload: 'ENQ',
      system: adapter.name,
      variant: `${int(jobs)} jobs due now, ${String(adapter.settings.bulk)}, chunks of ${int(chunk)}`,
      summary: `${int(jobs / seconds)} jobs/s in ${seconds.toFixed(2)} s; ${queued === jobs + 1 ? `${int(queued)} queued` : `WRONG: ${int(queued)} queued`}`,
      target: '',
      met: queued === jobs + 1,
      metrics: { jobs, seconds, perSecond: jobs / seconds, queued },
      options: { chunk, ...adapter.settings },
    };
    if (target.backend === 'postgres') await settleDatabase(target.url);

    const fleet = track(
      await Fleet.start(WORKERS, workerConfig(adapter, target, 'ids'), [], PEER_WORKER_SCRIPT),
    );
    const database = databaseName(target);
    const cpuBefore = await fleet.cpuMs();
    const backendsBefore = database ? await backendCpu(ctx.server.url, database) : null;
    ctx.log(`${adapter.name} W1: ${WORKERS} workers, go`);
    const startedAt = fleet.go();
    await fleet.waitForExecuted(jobs + 1, 180_000);
    const cpuAfter = await fleet.cpuMs();
    const backendMs = database
      ? cpuBetween(backendsBefore, await backendCpu(ctx.server.url, database))
      : null;
    const reports = await fleet.stop();
    const lastAt = Math.max(...reports.map((r) => r.lastAt ?? 0));
    const burstSeconds = (lastAt - startedAt) / 1000;
    const seen = new Uint8Array(jobs + 2);
    let duplicates = 0;
    let unexpected = 0;
    for (const r of reports) {
      for (const n of r.ids) {
        if (!(n >= 1 && n <= jobs + 1)) unexpected++;
        else if (seen[n]++ > 0) duplicates++;
      }
    }
    let missing = 0;
    for (let n = 1; n <= jobs + 1; n++) if (seen[n] === 0) missing++;
    const left = await adapter.pending(target);
    const exactlyOnce = duplicates === 0 && missing === 0 && unexpected === 0 && left === 0;
    const rate = (jobs + 1) / burstSeconds;
    const workerMs = cpuAfter.reduce((a, b) => a + b, 0) - cpuBefore.reduce((a, b) => a + b, 0);
    const w1: WorkloadResult = {
      workload: 'W1',
      system: adapter.name,
      variant: `${int(jobs)} jobs, K=${WORKERS}`,
      summary:
        `${int(rate)} exec/s in ${burstSeconds.toFixed(2)} s; CPU/job: workers ${((workerMs * 1000) / jobs).toFixed(1)} µs` +
        (backendMs === null ? '' : `, PG ${((backendMs * 1000) / jobs).toFixed(1)} µs`) +
        `; ${exactlyOnce ? 'exactly once' : `NOT exactly once (dup ${duplicates}, missing ${missing}, left ${left})`}`,
      target: 'exactly once',
      met: exactlyOnce,
      metrics: {
        jobs: jobs + 1,
        workers: WORKERS,
        seconds: burstSeconds,
        execPerSec: rate,
        exactlyOnce,
        duplicates,
        missing,
        left,
        perWorker: reports.map((r) => r.executed),
        workerCpuMs: workerMs,
        backendCpuMs: backendMs,
      },
      options: adapter.settings,
    };
    return [enq, w1];
  });
}

/** W2 on the peer: 500 jobs added one by one, each due 1-10 s ahead, K = 2 idle workers. */
export async function peerLateness(ctx: WorkloadContext, adapter: PeerAdapter): Promise<WorkloadResult> {
  return withPeerTarget(ctx, adapter, 'w2', async (target, track) => {
    const fleet = track(
      await Fleet.start(WORKERS, workerConfig(adapter, target, 'timing'), [], PEER_WORKER_SCRIPT),
    );
    fleet.go();
    await sleep(1000); // the workers are polling or listening by now
    const producer = await adapter.producer(target);
    try {
      ctx.log(`${adapter.name} W2: ${W2_JOBS} jobs 1-10 s ahead`);
      for (let n = 1; n <= W2_JOBS; n++) {
        await producer.addAt(n, Date.now() + 1000 + Math.floor(Math.random() * 9000));
      }
    } finally {
      await producer.close();
    }
    await fleet.waitForExecuted(W2_JOBS, 40_000);
    const reports = await fleet.stop();
    const samples = reports.flatMap((r) => r.samples);
    const d = distribution(samples.map((s) => s.startedAt - s.scheduledAt));
    const early = samples.filter((s) => s.startedAtMs < s.scheduledAt).length;
    const ids = new Set(samples.map((s) => s.id));
    const left = await adapter.pending(target);
    const exactlyOnce = ids.size === W2_JOBS && samples.length === W2_JOBS && left === 0;
    return {
      workload: 'W2',
      system: adapter.name,
      variant: `${W2_JOBS} jobs 1-10 s ahead, K=${WORKERS}`,
      summary: `lateness ms p50 ${fixed(d.p50)} p95 ${fixed(d.p95)} p99 ${fixed(d.p99)} max ${fixed(d.max)}; early ${early}; ${exactlyOnce ? 'exactly once' : 'NOT exactly once'}`,
      target: '0 early, exactly once',
      met: early === 0 && exactlyOnce,
      metrics: { jobs: W2_JOBS, workers: WORKERS, latenessMs: d, early, exactlyOnce, left },
      options: adapter.settings,
    };
  });
}

/** W7 on the peer, as far as it can express it. */
export async function peerFleet(
  ctx: WorkloadContext,
  adapter: PeerAdapter,
  tasks: number,
): Promise<WorkloadResult> {
  const plan = adapter.w7Plan(tasks);
  const base = { workload: 'W7', system: adapter.name, target: W7_TARGET, options: adapter.settings };
  if (!plan.supported) {
    return {
      ...base,
      variant: `${int(tasks)} recurring tasks`,
      summary: `cannot: ${plan.note}`,
      met: null,
      metrics: { tasks },
    };
  }
  return withPeerTarget(ctx, adapter, 'w7', async (target, track) => {
    const align = plan.granularity === 'minute' ? 60_000 : 1000;
    const boundary = Math.ceil((Date.now() + plan.leadMs) / align) * align;
    const cron: PeerCron = { tasks: plan.tasks, boundary };
    ctx.log(`${adapter.name} W7: ${int(plan.tasks)} schedules firing at ${new Date(boundary).toISOString()}`);
    const t0 = Date.now();
    await adapter.w7SetUp(target, cron);
    const setUpSeconds = (Date.now() - t0) / 1000;
    const fleet = track(
      await Fleet.start(WORKERS, workerConfig(adapter, target, 'fires', cron), [], PEER_WORKER_SCRIPT),
    );
    const margin = boundary - Date.now();
    if (margin < 300) throw new Error(`${adapter.name} W7: set-up ended ${-margin} ms after the boundary`);
    fleet.go();
    // A minute-level peer's schedules are hourly here (one fire per run); a per-minute one fires again at +60 s.
    const window = plan.granularity === 'minute' ? 120_000 : 55_000;
    const all = await fleet.reached(plan.tasks, boundary + window - Date.now());
    if (!all)
      ctx.log(
        `${adapter.name} W7: ${int(fleet.executed)}/${int(plan.tasks)} started ${window / 1000} s after the boundary; stopping`,
      );
    const reports = await fleet.stop();
    const check = checkFires(reports, plan.tasks, boundary, adapter.fireToleranceMs);
    const state = await adapter.w7State(target, cron);
    return {
      ...base,
      variant: `${int(plan.tasks)} due of ${int(plan.tasks)} scheduled, K=${WORKERS}`,
      summary:
        (all
          ? ''
          : `ONLY ${int(check.fires)} of ${int(plan.tasks)} started within ${window / 1000} s of the boundary; `) +
        `${describeFires(check)}; ${state.note}; set-up ${setUpSeconds.toFixed(1)} s (${plan.note})`,
      met: meetsGoal(check) && state.rescheduled,
      metrics: {
        tasks: plan.tasks,
        requested: tasks,
        boundary: new Date(boundary).toISOString(),
        ...check,
        state,
        setUpSeconds,
        note: plan.note,
      },
    };
  });
}
