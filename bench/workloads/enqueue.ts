/**
 * ENQ enqueue: how fast an application creates N one-time tasks due now (no worker running), through
 * the library's public API, on PostgreSQL:
 * - `scheduler.scheduleJobs(items, { onConflict: 'error' })` in chunks when the scheduler has that
 *   bulk call (detected at run time, see `bulkScheduler`: the workload also runs in a checkout of an
 *   older commit, to compare);
 * - otherwise `scheduleJob` for each task, `inFlight` calls at a time (one statement and one
 *   transaction per task).
 * The result says which one ran. Checked: the table holds exactly N tasks afterwards. With
 * `--compare` the tasks are then run by W1's burst (K = 2) on the same table, as for the peers.
 */
import type { StdScheduler } from '../../lib/core/scheduler.js';
import type { BenchDatabase } from '../pg-server.js';
import { countTasks, settleTable } from '../setup-sql.js';
import { int, rounded } from '../stats.js';
import { producer } from './producer.js';
import { KIND, withDatabase } from './shared.js';
import { runBurst } from './w1-burst.js';
import type { Workload, WorkloadContext, WorkloadResult } from './workload.js';

/** One task of a bulk call, as this bench passes it. */
interface BulkItem {
  slug: string;
  kind: string;
  payload: null;
}

/**
 * The bulk call as this bench uses it (`scheduleJobs`: items like `scheduleJob`'s arguments, here
 * none but the payload: due now, and `{ onConflict }`), typed apart because it is detected
 * at run time. The workload counts the rows afterwards.
 */
interface BulkScheduler {
  scheduleJobs(items: BulkItem[], options: { onConflict: 'error' | 'skip' | 'replace' }): Promise<unknown>;
}

/** The scheduler's bulk call when it has one. */
function bulkScheduler(scheduler: StdScheduler): BulkScheduler | null {
  const candidate = scheduler as unknown as Partial<BulkScheduler>;
  return typeof candidate.scheduleJobs === 'function' ? (scheduler as unknown as BulkScheduler) : null;
}

/** Which API created the tasks. */
export type EnqueueApi = 'scheduleJobs' | 'scheduleJob';

export const enqueue: Workload = async (ctx) =>
  withDatabase(ctx, 'enq', async (db) => [await measureEnqueue(ctx, db)]);

/** ENQ then W1's burst (K = 2) on the tasks it created: the `--compare` protocol. */
export async function enqueueThenBurst(ctx: WorkloadContext): Promise<WorkloadResult[]> {
  return withDatabase(ctx, 'enq', async (db, track) => {
    const enq = await measureEnqueue(ctx, db);
    await settleTable(db.url);
    return [enq, await runBurst(ctx, db, track, ctx.options.enqueue.jobs, 2)];
  });
}

async function measureEnqueue(ctx: WorkloadContext, db: BenchDatabase): Promise<WorkloadResult> {
  const { jobs, chunk, inFlight } = ctx.options.enqueue;
  // An application's producer: the library's defaults (pg's pool of 10).
  const app = producer(db.url, null);
  let api: EnqueueApi;
  let seconds: number;
  try {
    // Connection and prepared statements: the first call is not measured.
    await app.scheduler.scheduleJob('warm-up', KIND, { payload: null });
    const bulk = bulkScheduler(app.scheduler);
    api = bulk ? 'scheduleJobs' : 'scheduleJob';
    ctx.log(`ENQ: ${int(jobs)} tasks through ${api}`);
    const t0 = performance.now();
    if (bulk) {
      for (let from = 1; from <= jobs; from += chunk) {
        const items: BulkItem[] = [];
        for (let n = from; n < from + chunk && n <= jobs; n++)
          items.push({ slug: `w1-${n}`, kind: KIND, payload: null });
        await bulk.scheduleJobs(items, { onConflict: 'error' });
      }
    } else {
      let next = 1;
      const lane = async (): Promise<void> => {
        while (next <= jobs) {
          const n = next++;
          await app.scheduler.scheduleJob(`w1-${n}`, KIND, { payload: null });
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    }
    seconds = (performance.now() - t0) / 1000;
    await app.scheduler.deleteJob('warm-up');
  } finally {
    await app.close();
  }
  const rows = await countTasks(db.url);
  const rate = jobs / seconds;
  const complete = rows === jobs;
  return {
    workload: 'ENQ',
    variant: `${int(jobs)} tasks due now, ${api === 'scheduleJobs' ? `scheduleJobs, chunks of ${int(chunk)}` : `scheduleJob, ${inFlight} in flight`}`,
    summary: `${int(rate)} tasks/s in ${seconds.toFixed(2)} s (${api}); ${complete ? `${int(rows)} rows` : `WRONG: ${int(rows)} rows`}`,
    target: '',
    met: complete,
    metrics: rounded({ jobs, seconds, perSecond: rate, api, rows }),
    options:
      api === 'scheduleJobs' ? { chunk, onConflict: 'error' } : { inFlight, poolMax: 'pg default (10)' },
  };
}
