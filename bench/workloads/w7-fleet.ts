/**
 * W7 a fleet of schedules: per-tenant recurring tasks, `due` of them firing on the same second
 * (the boundary), among `total` scheduled (the rest due hours later); K = 2 workers with the
 * library's defaults but `maxConcurrency`. Measured: the spread from the boundary to the last start,
 * lateness p50/p99. Checked: each (task, boundary) ran exactly once, nothing else ran, every due task
 * is rescheduled to its next fire (run_at = the following fire, version bumped once by its one
 * claim, no lease), and the tasks not due are untouched. Set-up: workloads/w7-seed.ts.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { backendCpu, cpuBetween } from '../backend-cpu.js';
import { Fleet } from '../fleet.js';
import type { MemoryCronOptions, MemoryCronResult } from '../memory-cron.js';
import type { WorkerConfig } from '../protocol.js';
import { sql } from '../setup-sql.js';
import { describeTrace, summariseTrace } from '../store-trace.js';
import { int } from '../stats.js';
import { KIND, collectStatements, startStatements, withDatabase } from './shared.js';
import { W7_GOAL, checkFires, describeFires, meetsGoal } from './w7-fires.js';
import { nextFire, seedDue, seedLater } from './w7-seed.js';
import type { Workload, WorkloadContext, WorkloadResult } from './workload.js';

const MEMORY_SCRIPT = fileURLToPath(new URL('../memory-cron.js', import.meta.url));

/** One W7 size: `due` tasks firing on the boundary among `total` scheduled. */
export interface W7Variant {
  due: number;
  total: number;
}

export const W7_TARGET = `all started within ${W7_GOAL.spreadMs / 1000} s, p99 < ${W7_GOAL.p99Ms / 1000} s, exactly once, rescheduled`;

/** How long before the boundary the set-up of the due tasks starts (seeding, VACUUM, workers' start). */
function leadMs(ctx: WorkloadContext, due: number): number {
  return ctx.options.w7.leadMs ?? 8000 + due * 0.04;
}

export const w7Fleet: Workload = async (ctx) => {
  const results: WorkloadResult[] = [];
  for (const variant of ctx.options.w7.variants) {
    results.push(
      await orFailed(ctx, `${int(variant.due)} due of ${int(variant.total)}`, onPostgres(ctx, variant)),
    );
  }
  if (ctx.options.w7.memory) {
    const due = ctx.options.w7.variants[0]?.due ?? 100_000;
    results.push(await orFailed(ctx, `${int(due)} due, memory store`, onMemory(ctx, due)));
  }
  return results;
};

/** One variant's failure is reported as such, without losing the others' figures. */
async function orFailed(
  ctx: WorkloadContext,
  variant: string,
  run: Promise<WorkloadResult>,
): Promise<WorkloadResult> {
  try {
    return await run;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log(`W7 ${variant} FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
    process.exitCode = 1;
    return {
      workload: 'W7',
      variant,
      summary: `FAILED: ${message}`,
      target: W7_TARGET,
      met: false,
      metrics: {},
      options: {},
    };
  }
}

/** The PostgreSQL run of one variant. */
export async function onPostgres(ctx: WorkloadContext, { due, total }: W7Variant): Promise<WorkloadResult> {
  const { maxConcurrency, workers, batchSize } = ctx.options.w7;
  return withDatabase(ctx, 'w7', async (db, track) => {
    if (total > due) {
      ctx.log(`W7: seeding ${int(total - due)} tasks due later`);
      await seedLater(db.url, due, total);
    }
    const boundary = Math.ceil((Date.now() + leadMs(ctx, due)) / 1000) * 1000;
    ctx.log(`W7: seeding ${int(due)} tasks firing at ${new Date(boundary).toISOString()}`);
    await seedDue(db.url, due, boundary);
    const statements = await startStatements(ctx, db);
    const config: WorkerConfig = {
      url: db.url,
      kind: KIND,
      poolMax: null,
      scheduler: batchSize === null ? { maxConcurrency } : { maxConcurrency, batchSize },
      record: 'fires',
      progressEveryMs: 50,
      profileDir: ctx.options.profileDir,
      heapProfile: ctx.options.heapProfile,
      traceStore: ctx.options.storeTrace,
    };
    const fleet = track(await Fleet.start(workers, config, ctx.options.workerExecArgv));
    const margin = boundary - Date.now();
    if (margin < 300)
      throw new Error(`W7: set-up ended ${-margin} ms after the boundary; raise --w7-lead-ms`);
    const cpuBefore = await fleet.cpuMs();
    const backendsBefore = await backendCpu(ctx.server.url, db.name);
    fleet.go();
    ctx.log(`W7: ${workers} workers started ${margin} ms before the boundary`);
    await fleet.waitForExecuted(due, boundary + 55_000 - Date.now());
    const cpuAfter = await fleet.cpuMs();
    const backendMs = cpuBetween(backendsBefore, await backendCpu(ctx.server.url, db.name));
    const reports = await fleet.stop();
    const top = await collectStatements(ctx, db, statements);

    const check = checkFires(reports, due, boundary);
    const state = await tableState(db.url, due, nextFire(boundary));
    const trace = ctx.options.storeTrace ? summariseTrace(reports, boundary, state.lastSettleMs + 1) : [];
    for (const t of trace) ctx.log(`W7 store trace: ${describeTrace(t)}`);
    const rescheduled = state.rescheduled === due && state.laterUntouched === total - due;
    const workerCpuMs = cpuAfter.reduce((a, b) => a + b, 0) - cpuBefore.reduce((a, b) => a + b, 0);
    const settledMs = state.lastSettleMs - boundary;
    return {
      workload: 'W7',
      variant:
        `${int(due)} due of ${int(total)} scheduled, K=${workers}, PostgreSQL` +
        (maxConcurrency !== 1000 || batchSize !== null
          ? ` (maxConcurrency ${maxConcurrency}${batchSize === null ? '' : `, batchSize ${batchSize}`})`
          : ''),
      summary:
        `${describeFires(check)}; ${rescheduled ? 'every task rescheduled to its next fire' : `NOT rescheduled (${state.rescheduled}/${due} due, ${state.laterUntouched}/${total - due} later untouched)`}` +
        `; last reschedule written at +${(settledMs / 1000).toFixed(2)} s; CPU/fire: workers ${((workerCpuMs * 1000) / due).toFixed(1)} µs` +
        (backendMs === null ? '' : `, PG ${((backendMs * 1000) / due).toFixed(1)} µs`),
      target: W7_TARGET,
      met: meetsGoal(check) && rescheduled,
      metrics: {
        due,
        total,
        workers,
        boundary: new Date(boundary).toISOString(),
        ...check,
        table: state,
        lastRescheduleMs: settledMs,
        workerCpuMs,
        backendCpuMs: backendMs,
        ...(top.length > 0 ? { topStatements: top } : {}),
        ...(trace.length > 0 ? { storeTrace: trace } : {}),
      },
      options: {
        maxConcurrency,
        batchSize: batchSize ?? 'library default (= maxConcurrency)',
        poolMax: 'library default',
        otherOptions: 'library defaults',
      },
    };
  });
}

/** What the table says after the run. */
interface TableState {
  dueRows: number;
  /** Due tasks at the following fire, version 2 (one claim), no lease, retry 0, not failed. */
  rescheduled: number;
  laterRows: number;
  /** Later tasks at version 1, no lease, still ahead. */
  laterUntouched: number;
  /** When the last due task was rescheduled (its updated_at), ms since epoch. */
  lastSettleMs: number;
}

async function tableState(url: string, due: number, next: number): Promise<TableState> {
  const [row] = await sql<Record<string, string>>(
    url,
    `SELECT count(*) FILTER (WHERE t.g <= $1) AS due_rows,
            count(*) FILTER (WHERE t.g <= $1 AND t.run_at = to_timestamp($2::float8 / 1000) AND t.version = 2
                             AND t.retry = 0 AND NOT t.failed AND NOT t.paused AND t.locked_by IS NULL
                             AND t.locked_until IS NULL AND t.result IS NULL) AS rescheduled,
            count(*) FILTER (WHERE t.g > $1) AS later_rows,
            count(*) FILTER (WHERE t.g > $1 AND t.version = 1 AND t.locked_by IS NULL AND t.run_at > now()) AS later_untouched,
            floor(extract(epoch FROM max(t.updated_at) FILTER (WHERE t.g <= $1)) * 1000) AS last_settle_ms
     FROM (SELECT *, substr(slug, 4)::integer AS g FROM scheduler_tasks) AS t`,
    [due, next],
  );
  return {
    dueRows: Number(row.due_rows),
    rescheduled: Number(row.rescheduled),
    laterRows: Number(row.later_rows),
    laterUntouched: Number(row.later_untouched),
    lastSettleMs: Number(row.last_settle_ms),
  };
}

/** The memory store, one process, for reference. */
async function onMemory(ctx: WorkloadContext, due: number): Promise<WorkloadResult> {
  const { maxConcurrency } = ctx.options.w7;
  const r = await new Promise<MemoryCronResult>((resolve, reject) => {
    const options: MemoryCronOptions = {
      due,
      maxConcurrency,
      kind: KIND,
      leadMs: ctx.options.w7.leadMs ?? 3000 + due * 0.15,
    };
    const child = fork(MEMORY_SCRIPT, [JSON.stringify(options)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: MemoryCronResult | null = null;
    child.on('message', (message: MemoryCronResult) => (result = message));
    child.on('error', reject);
    child.on('close', (code) =>
      result ? resolve(result) : reject(new Error(`W7 memory child exited with ${code} and no result`)),
    );
  });
  if (r.lateSetUp) throw new Error('W7 memory: the set-up was not done by the boundary');
  const check = checkFires([r], due, r.boundary);
  const rescheduled = r.rescheduled === due;
  return {
    workload: 'W7',
    variant: `${int(due)} due, memory store, 1 process`,
    summary: `${describeFires(check)}; ${rescheduled ? 'every task rescheduled to its next fire' : `NOT rescheduled (${r.rescheduled}/${due})`}; CPU/fire ${((r.cpuMs * 1000) / due).toFixed(1)} µs`,
    target: W7_TARGET,
    met: meetsGoal(check) && rescheduled,
    metrics: {
      due,
      boundary: new Date(r.boundary).toISOString(),
      ...check,
      rescheduled: r.rescheduled,
      cpuMs: r.cpuMs,
    },
    options: { maxConcurrency, otherOptions: 'library defaults' },
  };
}
