/**
 * W6 cron precision: 50 recurring `* * * * * *` jobs (every second) for 10 s on K = 2 workers:
 * every (job, second) of the window must have fired exactly once across the workers; lateness p99.
 */
import { Fleet } from '../fleet.js';
import { distribution, fixed, sleep } from '../stats.js';
import { producer } from './producer.js';
import { KIND, withDatabase, workerConfig } from './shared.js';
import type { Workload, WorkloadResult } from './workload.js';

const JOBS = 50;
const WORKERS = 2;
const SECONDS = 10;

export const w6Cron: Workload = async (ctx) =>
  withDatabase(ctx, 'w6', async (db, track): Promise<WorkloadResult[]> => {
    const config = workerConfig(ctx, db.url, 'timing');
    const fleet = track(await Fleet.start(WORKERS, config, ctx.options.workerExecArgv));
    fleet.go();
    // The first fire: the second whole second from now, so that every task exists by then.
    const first = Math.ceil((Date.now() + 1500) / 1000) * 1000;
    const app = producer(db.url);
    try {
      for (let i = 1; i <= JOBS; i++) {
        await app.scheduler.scheduleJob(`w6-${i}`, KIND, { trigger: '* * * * * *', runAt: new Date(first) });
      }
    } finally {
      await app.close();
    }
    const windowEnd = first + SECONDS * 1000;
    ctx.log(`W6: ${JOBS} jobs every second, window of ${SECONDS} s from ${new Date(first).toISOString()}`);
    await sleep(windowEnd + 500 - Date.now());
    const reports = await fleet.stop();

    const inWindow = reports
      .flatMap((r) => r.samples)
      .filter((s) => s.scheduledAt >= first && s.scheduledAt < windowEnd);
    const fires = new Map<string, number>();
    for (const s of inWindow)
      fires.set(`${s.id}@${s.scheduledAt}`, (fires.get(`${s.id}@${s.scheduledAt}`) ?? 0) + 1);
    let missed = 0;
    let doubled = 0;
    let offGrid = 0;
    for (let i = 1; i <= JOBS; i++) {
      for (let t = first; t < windowEnd; t += 1000) {
        const n = fires.get(`${i}@${t}`) ?? 0;
        if (n === 0) missed++;
        if (n > 1) doubled += n - 1;
      }
    }
    for (const s of inWindow) if (s.scheduledAt % 1000 !== 0) offGrid++;
    const early = inWindow.filter((s) => s.startedAtMs < s.scheduledAt).length;
    const d = distribution(inWindow.map((s) => s.startedAt - s.scheduledAt));
    if (ctx.options.debug) {
      for (let t = first; t < windowEnd; t += 1000) {
        const fire = inWindow.filter((s) => s.scheduledAt === t).map((s) => s.startedAt - t);
        ctx.log(
          `  second ${(t - first) / 1000}: ${fire.length} fires, lateness ${fixed(Math.min(...fire))}..${fixed(Math.max(...fire))} ms`,
        );
      }
    }
    const exact = missed === 0 && doubled === 0 && offGrid === 0 && early === 0;
    return [
      {
        workload: 'W6',
        variant: `${JOBS} jobs '* * * * * *', ${SECONDS} s, K=${WORKERS}`,
        summary: `${inWindow.length}/${JOBS * SECONDS} fires, missed ${missed}, double ${doubled}, early ${early}; lateness ms p50 ${fixed(d.p50)} p99 ${fixed(d.p99)} max ${fixed(d.max)}`,
        target: 'no missed or double fire, p99 <= 20 ms',
        met: exact && d.p99 <= 20,
        metrics: {
          jobs: JOBS,
          workers: WORKERS,
          seconds: SECONDS,
          fires: inWindow.length,
          missed,
          doubled,
          offGrid,
          early,
          latenessMs: d,
          perWorker: reports.map(
            (r) => r.samples.filter((s) => s.scheduledAt >= first && s.scheduledAt < windowEnd).length,
          ),
        },
        options: { ...config.scheduler, poolMax: config.poolMax },
      },
    ];
  });
