/**
 * W2 lateness: K = 2 idle workers; a producer instance schedules 500 one-time jobs, each due at a
 * random time 1-10 s ahead; lateness = the job's start minus its scheduled time. Early starts (a
 * start before the scheduled time, by the engine's own clock) must be 0.
 */
import { Fleet } from '../fleet.js';
import { countTasks } from '../setup-sql.js';
import { distribution, fixed, sleep } from '../stats.js';
import { producer } from './producer.js';
import { KIND, withDatabase, workerConfig } from './shared.js';
import type { Workload, WorkloadResult } from './workload.js';

const JOBS = 500;
const WORKERS = 2;

export const w2Lateness: Workload = async (ctx) =>
  withDatabase(ctx, 'w2', async (db, track): Promise<WorkloadResult[]> => {
    const config = workerConfig(ctx, db.url, 'timing');
    const fleet = track(await Fleet.start(WORKERS, config, ctx.options.workerExecArgv));
    fleet.go();
    await sleep(500); // both loops are asleep now
    const app = producer(db.url);
    try {
      ctx.log(`W2: scheduling ${JOBS} jobs 1-10 s ahead`);
      for (let i = 1; i <= JOBS; i++) {
        const runAt = new Date(Date.now() + 1000 + Math.floor(Math.random() * 9000));
        await app.scheduler.scheduleJob(`w2-${i}`, KIND, { runAt });
      }
    } finally {
      await app.close();
    }
    await fleet.waitForExecuted(JOBS, 30_000);
    const reports = await fleet.stop();
    const samples = reports.flatMap((r) => r.samples);
    const lateness = samples.map((s) => s.startedAt - s.scheduledAt);
    const early = samples.filter((s) => s.startedAtMs < s.scheduledAt).length;
    const ids = new Set(samples.map((s) => s.id));
    const left = await countTasks(db.url);
    const exactlyOnce = ids.size === JOBS && samples.length === JOBS && left === 0;
    const d = distribution(lateness);
    if (ctx.options.debug) {
      const worst = samples
        .map((s) => ({ ...s, late: s.startedAt - s.scheduledAt }))
        .sort((a, b) => b.late - a.late)
        .slice(0, 12);
      for (const w of worst)
        ctx.log(`  late ${w.late.toFixed(1)} ms: w2-${w.id} due ${new Date(w.scheduledAt).toISOString()}`);
    }
    const met = d.p99 <= 10 && d.p50 <= 3 && early === 0 && exactlyOnce;
    return [
      {
        workload: 'W2',
        variant: `${JOBS} jobs 1-10 s ahead, K=${WORKERS}`,
        summary: `lateness ms p50 ${fixed(d.p50)} p95 ${fixed(d.p95)} p99 ${fixed(d.p99)} max ${fixed(d.max)}; early ${early}; ${exactlyOnce ? 'exactly once' : 'NOT exactly once'}`,
        target: 'p99 <= 10 ms, p50 <= 3 ms, 0 early',
        met,
        metrics: {
          jobs: JOBS,
          workers: WORKERS,
          latenessMs: d,
          early,
          exactlyOnce,
          perWorker: reports.map((r) => r.executed),
        },
        options: { ...config.scheduler, poolMax: config.poolMax },
      },
    ];
  });
