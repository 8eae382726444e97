/**
 * W1 burst: N one-time no-op jobs due now in PostgreSQL, K worker processes; executions per second
 * from the moment the workers are told to go until the last execution starts; every job must run
 * exactly once (every slug seen once across the workers, none left in the table).
 */
import { backendCpu, cpuBetween } from '../backend-cpu.js';
import { Fleet } from '../fleet.js';
import type { BenchDatabase } from '../pg-server.js';
import { countTasks, insertTasks } from '../setup-sql.js';
import { int } from '../stats.js';
import { describeTrace, summariseTrace } from '../store-trace.js';
import { KIND, collectStatements, startStatements, withDatabase, workerConfig } from './shared.js';
import type { Workload, WorkloadContext, WorkloadResult } from './workload.js';

/** W1's target (issue 5): with 100,000 jobs and K = 2. */
const TARGET_RATE = 42_000;

export const w1Burst: Workload = async (ctx) => {
  const results: WorkloadResult[] = [];
  for (const jobs of ctx.options.jobs) {
    for (const k of ctx.options.workers) results.push(await burst(ctx, jobs, k));
  }
  return results;
};

async function burst(ctx: WorkloadContext, jobs: number, k: number): Promise<WorkloadResult> {
  return withDatabase(ctx, 'w1', async (db, track) => {
    ctx.log(`W1: inserting ${jobs} due tasks`);
    await insertTasks(db.url, {
      prefix: 'w1-',
      kind: KIND,
      count: jobs,
      runAtSql: `now() - interval '1 minute' + g * interval '1 microsecond'`,
    });
    return runBurst(ctx, db, track, jobs, k);
  });
}

/**
 * The measured part of W1 on a database that holds `jobs` due tasks `w1-1`..`w1-<jobs>` (inserted
 * by W1's set-up, or by the enqueue workload), VACUUMed and CHECKPOINTed.
 */
export async function runBurst(
  ctx: WorkloadContext,
  db: BenchDatabase,
  track: (fleet: Fleet) => Fleet,
  jobs: number,
  k: number,
): Promise<WorkloadResult> {
  const statements = await startStatements(ctx, db);
  const config = workerConfig(ctx, db.url, 'ids');
  const fleet = track(await Fleet.start(k, config, ctx.options.workerExecArgv));
  const cpuBefore = await fleet.cpuMs();
  const backendsBefore = await backendCpu(ctx.server.url, db.name);
  ctx.log(`W1: ${k} worker(s) ready, go`);
  const startedAt = fleet.go();
  await fleet.waitForExecuted(jobs, 120_000 + jobs);
  const cpuAfter = await fleet.cpuMs();
  const backendMs = cpuBetween(backendsBefore, await backendCpu(ctx.server.url, db.name));
  const reports = await fleet.stop();
  const top = await collectStatements(ctx, db, statements);

  const lastAt = Math.max(...reports.map((r) => r.lastAt ?? 0));
  const trace = ctx.options.storeTrace ? summariseTrace(reports, startedAt, lastAt) : [];
  for (const t of trace) ctx.log(`W1 store trace: ${describeTrace(t)}`);
  const seconds = (lastAt - startedAt) / 1000;
  const rate = jobs / seconds;
  const seen = new Uint8Array(jobs + 1);
  let duplicates = 0;
  let unexpected = 0;
  let executed = 0;
  for (const report of reports) {
    executed += report.executed;
    for (const n of report.ids) {
      if (!(n >= 1 && n <= jobs)) unexpected++;
      else if (seen[n]++ > 0) duplicates++;
    }
  }
  let missing = 0;
  for (let n = 1; n <= jobs; n++) if (seen[n] === 0) missing++;
  const left = await countTasks(db.url);
  const exactlyOnce =
    duplicates === 0 && missing === 0 && unexpected === 0 && executed === jobs && left === 0;
  const cpuMs = cpuAfter.map((ms, i) => ms - cpuBefore[i]);
  const workerUsPerJob = (cpuMs.reduce((a, b) => a + b, 0) * 1000) / jobs;
  const backendUsPerJob = backendMs === null ? null : (backendMs * 1000) / jobs;
  const hasTarget = jobs === 100_000 && k === 2;
  return {
    workload: 'W1',
    variant: `${int(jobs)} jobs, K=${k}`,
    summary: `${int(rate)} exec/s in ${seconds.toFixed(2)} s; CPU/job: workers ${workerUsPerJob.toFixed(1)} µs${backendUsPerJob === null ? '' : `, PG ${backendUsPerJob.toFixed(1)} µs`}; ${exactlyOnce ? 'exactly once' : `NOT exactly once (dup ${duplicates}, missing ${missing}, left ${left})`}`,
    target: hasTarget ? `>= ${int(TARGET_RATE)} exec/s, exactly once` : 'exactly once',
    met: hasTarget ? exactlyOnce && rate >= TARGET_RATE : exactlyOnce,
    metrics: {
      jobs,
      workers: k,
      seconds,
      execPerSec: rate,
      exactlyOnce,
      duplicates,
      missing,
      leftInTable: left,
      perWorker: reports.map((r) => r.executed),
      workerCpuMs: cpuMs,
      workerCpuUsPerJob: workerUsPerJob,
      backendCpuMs: backendMs,
      backendCpuUsPerJob: backendUsPerJob,
      stopMs: reports.map((r) => r.stopMs),
      ...(top.length > 0 ? { topStatements: top } : {}),
      ...(trace.length > 0 ? { storeTrace: trace } : {}),
    },
    options: { ...config.scheduler, poolMax: config.poolMax },
  };
}
