import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';
import {
  countBy,
  createRunsTable,
  doneCountBySlug,
  readRuns,
  reportFact,
  waitFor,
  type RecordedRun,
} from './support/runs-table.js';
import {
  killAllWorkers,
  startWorker,
  type WorkerExit,
  type WorkerProcess,
  type WorkerStopReport,
} from './support/worker-process.js';

const db = usePostgresDatabase();

const ONE_TIME_JOBS = 300;
/** Fires each recurring task must have run before the processes are stopped (about 10 s). */
const FIRES_WANTED = 10;
const RECURRING = [
  { slug: 'tick-cron-0', trigger: '* * * * * *' },
  { slug: 'tick-cron-1', trigger: '* * * * * *' },
  { slug: 'tick-cron-2', trigger: '* * * * * *' },
  { slug: 'tick-every-0', trigger: '@every 1s' },
  { slug: 'tick-every-1', trigger: '@every 1s' },
];
const UNREGISTERED_KIND = 'nobody-registers-this';

/**
 * Three application processes (plain Node on the compiled library, each a `StdScheduler` with the
 * engine's defaults) share one database for about ten seconds: 300 one-time jobs spread over the
 * first six seconds, and five recurring tasks firing every second.
 *
 * What "each fire runs once" means, precisely: a recurring task's fires are the trigger's times
 * from its first fire on; every one of them up to the last observed must have run exactly once
 * (no duplicate, no gap), and the task's stored next run time must be the fire right after the
 * last one observed (no fire ran unrecorded). The `tick` kind uses the `catch-up` misfire policy,
 * under which skipping a fire is never allowed; with the default `fire-once` a run that starts more
 * than a second late would legitimately fold the fires it overran into one.
 *
 * The scenario runs once, in `beforeAll`; each `it` checks one property of what it left behind.
 */
describe('three scheduler processes on one PostgreSQL database', () => {
  let workers: WorkerProcess[] = [];
  let exits: WorkerExit[] = [];
  let reports: Array<WorkerStopReport | null> = [];
  let runs: RecordedRun[] = [];
  const firstFire = new Map<string, number>();
  let unregisteredBefore: unknown[] = [];
  let unregisteredAfter: unknown[] = [];
  let tasksAfter: Array<{ slug: string; run_at_ms: string; locked_by: string | null }> = [];

  beforeAll(async () => {
    await createRunsTable(db);
    const pool = db.pool({ max: 4 });
    const store = new PostgresStore({ pool, logger: silentLogger });
    // Never started: the parent only schedules, as a web instance in front of workers would.
    const parent = new StdScheduler(store, { instanceId: 'parent', logger: silentLogger });
    try {
      await parent.scheduleJob('unregistered-once', UNREGISTERED_KIND, { payload: { keep: 'me' } });
      await parent.scheduleJob('unregistered-recurring', UNREGISTERED_KIND, { trigger: '* * * * * *' });
      unregisteredBefore = await db.query('SELECT * FROM scheduler_tasks WHERE kind = $1 ORDER BY slug', [
        UNREGISTERED_KIND,
      ]);
      for (const { slug, trigger } of RECURRING) {
        const task = await parent.ensureRecurring(slug, 'tick', trigger);
        firstFire.set(slug, task.nextRunTime.getTime());
      }

      const started = Date.now();
      workers = [1, 2, 3].map((n) =>
        startWorker({ url: db.url, instanceId: `child-${n}`, recurring: RECURRING }),
      );
      await Promise.all(workers.map((worker) => worker.ready));
      reportFact(`multi-process: 3 workers ready after ${Date.now() - started} ms`);

      const slugs = Array.from({ length: ONE_TIME_JOBS }, (_, i) => i);
      for (let from = 0; from < slugs.length; from += 50) {
        await Promise.all(
          slugs.slice(from, from + 50).map((i) =>
            parent.scheduleJob(`once-${i}`, 'work', {
              delay: (i % 60) * 100,
              payload: { sleepMs: i % 7 === 0 ? 25 : 0 },
            }),
          ),
        );
      }

      await waitFor(
        async () => {
          const counts = doneCountBySlug(await readRuns(db));
          const onceDone = slugs.every((i) => counts.has(`once-${i}`));
          return onceDone && RECURRING.every(({ slug }) => (counts.get(slug) ?? 0) >= FIRES_WANTED);
        },
        `${ONE_TIME_JOBS} one-time jobs and ${FIRES_WANTED} fires of each recurring task`,
        60_000,
      );
      reportFact(`multi-process: ran for ${Date.now() - started} ms before SIGTERM`);

      exits = await Promise.all(workers.map((worker) => worker.stop()));
      reports = workers.map((worker) => worker.stopReport());
      runs = await readRuns(db);
      unregisteredAfter = await db.query('SELECT * FROM scheduler_tasks WHERE kind = $1 ORDER BY slug', [
        UNREGISTERED_KIND,
      ]);
      tasksAfter = await db.query(
        `SELECT slug, (extract(epoch FROM run_at) * 1000)::bigint AS run_at_ms, locked_by FROM scheduler_tasks ORDER BY slug`,
      );
    } finally {
      await store.close();
      await db.endPool(pool);
    }
  }, 90_000);

  afterAll(async () => {
    await killAllWorkers();
  });

  it('stops every process gracefully on SIGTERM: exit code 0, nothing left open', () => {
    if (!exits.every((exit) => exit.code === 0 && exit.signal === null)) {
      throw new Error(`exits ${JSON.stringify(exits)}; stderr:\n${workers.map((w) => w.stderr()).join('')}`);
    }
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
    expect(reports.every((report) => report !== null)).toBe(true);
  });

  it('runs every one-time job exactly once, across the processes', () => {
    const once = runs.filter((run) => run.kind === 'work');
    const counts = doneCountBySlug(once);
    const wrong = [...Array(ONE_TIME_JOBS).keys()]
      .map((i) => `once-${i}`)
      .filter((slug) => counts.get(slug) !== 1)
      .map((slug) => `${slug}: ${counts.get(slug) ?? 0} runs`);
    expect(wrong).toEqual([]);
    expect(once).toHaveLength(ONE_TIME_JOBS);
    expect(tasksAfter.filter((task) => task.slug.startsWith('once-'))).toEqual([]);

    const perInstance = countBy(once, (run) => run.instanceId);
    reportFact(`multi-process: one-time executions per process ${JSON.stringify(perInstance)}`);
    // Every process woke (NOTIFY) and claimed its share; a single busy one would not prove much.
    expect(Object.keys(perInstance).length).toBeGreaterThan(1);
  });

  it('runs every fire of every recurring task exactly once: no duplicate, no gap, none unrecorded', () => {
    for (const { slug } of RECURRING) {
      const fires = runs
        .filter((run) => run.slug === slug)
        .map((run) => run.scheduledMs)
        .sort((a, b) => a - b);
      const first = firstFire.get(slug) as number;
      // The first fire is the one the task was created with; each next one a second later.
      expect({ slug, fires }).toEqual({
        slug,
        fires: Array.from({ length: fires.length }, (_, k) => first + k * 1000),
      });
      expect(fires.length).toBeGreaterThanOrEqual(FIRES_WANTED);
      // The stored next run is the fire after the last observed one: no fire ran without its record.
      const row = tasksAfter.find((task) => task.slug === slug);
      expect(row).toEqual({ slug, run_at_ms: String(first + fires.length * 1000), locked_by: null });
      reportFact(
        `multi-process: ${slug}: ${fires.length} fires, by ${JSON.stringify(
          countBy(
            runs.filter((r) => r.slug === slug),
            (r) => r.instanceId,
          ),
        )}`,
      );
    }
  });

  it('counts as many job starts in the processes as runs recorded, and no lost lease or failure', () => {
    const totals = reports.reduce(
      (sum, report) => ({
        executions: sum.executions + (report?.executions ?? 0),
        leaseLost: sum.leaseLost + (report?.leaseLost ?? 0),
        failed: sum.failed + (report?.failed ?? 0),
      }),
      { executions: 0, leaseLost: 0, failed: 0 },
    );
    reportFact(`multi-process: stop reports ${JSON.stringify(reports)}`);
    expect(totals).toEqual({ executions: runs.length, leaseLost: 0, failed: 0 });
  });

  it('leaves a task of a kind no process registers untouched (not claimed, not rewritten)', () => {
    expect(unregisteredBefore).toHaveLength(2);
    expect(unregisteredAfter).toEqual(unregisteredBefore);
    expect(runs.filter((run) => run.kind === UNREGISTERED_KIND)).toEqual([]);
  });
});
