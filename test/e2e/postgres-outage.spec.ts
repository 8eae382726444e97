import pg from 'pg';

import type { SchedulerLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { postgresServerUrl, usePostgresDatabase } from '../support/postgres.js';
import { countBy, reportFact, waitFor } from './support/runs-table.js';

const db = usePostgresDatabase();

const STORE_APP_NAME = 'nds-outage-store';
const WORK_JOBS = 100;

/** Keeps every line, tagged with its level. */
class LineLogger implements SchedulerLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
  has(level: string, fragment: string): boolean {
    return this.lines.some((line) => line.startsWith(`${level}:`) && line.includes(fragment));
  }
}

/**
 * The database goes away under a running scheduler and comes back. The outage, as the instance
 * sees it: every connection of its store is terminated (`pg_terminate_backend`, as a server restart
 * or failover does) and new connections are refused (`ALTER DATABASE … ALLOW_CONNECTIONS false`)
 * until the test lets them in again. A real server restart is not done: the server is shared with
 * the other test files (and is CI's own server when PG_URL is set).
 *
 * Meanwhile jobs are due, one job is running and finishes during the outage. The loop logs its store
 * errors, backs off, keeps running, and afterwards every job has run exactly once; the outcome of
 * the job that finished during the outage is written when the database is back.
 */
describe('a database outage under a running scheduler', () => {
  it('logs, backs off, keeps running, and runs every job exactly once once the database is back', async () => {
    const logger = new LineLogger();
    const store = new PostgresStore({
      connectionString: db.url,
      poolConfig: { max: 4, application_name: STORE_APP_NAME },
      logger,
    });
    const scheduler = new StdScheduler(store, { instanceId: 'survivor', leaseMs: 5000, logger });
    const runs = new Map<string, number>();
    const count = (slug: string): void => void runs.set(slug, (runs.get(slug) ?? 0) + 1);
    scheduler.registerJob({
      kind: 'work',
      execute: async (task) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        count(task.slug);
      },
    });
    let straddlerStarted = false;
    let straddlerFinished = false;
    let letStraddlerFinish!: () => void;
    const straddlerGate = new Promise<void>((resolve) => (letStraddlerFinish = resolve));
    scheduler.registerJob({
      kind: 'straddler',
      execute: async (task) => {
        straddlerStarted = true;
        await straddlerGate;
        count(task.slug);
        straddlerFinished = true;
      },
    });
    const storeErrors: string[] = [];
    scheduler.on('store.error', ({ operation }) => storeErrors.push(operation));

    const admin = new pg.Client({ connectionString: postgresServerUrl() });
    await admin.connect();
    const database = admin.escapeIdentifier(db.name);
    let outage = false;
    try {
      await scheduler.start();
      await scheduler.scheduleJob('straddler', 'straddler');
      for (let i = 0; i < WORK_JOBS; i++) {
        await scheduler.scheduleJob(`work-${i}`, 'work', { delay: (i % 40) * 75 });
      }
      await waitFor(() => straddlerStarted && runs.size >= 10, 'the straddler and some work to run');

      // The outage: no new connections, and every connection of the store cut.
      outage = true;
      const outageBegan = Date.now();
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      const [{ terminated }] = (
        await admin.query<{ terminated: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS terminated
           FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
          [db.name, STORE_APP_NAME],
        )
      ).rows;
      const ranBeforeOutage = runs.size;
      letStraddlerFinish();
      await waitFor(
        () =>
          straddlerFinished &&
          storeErrors.includes('settle') &&
          scheduler.health().consecutiveStoreErrors >= 3,
        'the loop to hit the outage and the straddler’s outcome write to fail',
      );
      expect(scheduler.isRunning).toBe(true);
      const healthDuringOutage = scheduler.health();
      expect(healthDuringOutage.lastStoreError).toEqual(expect.any(String));

      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      outage = false;
      const outageMs = Date.now() - outageBegan;
      await waitFor(
        async () =>
          runs.size === WORK_JOBS + 1 && (await db.query('SELECT 1 FROM scheduler_tasks')).length === 0,
        'every job to run and every outcome to be written after the outage',
      );
      await waitFor(() => scheduler.health().lastStoreError === null, 'the loop to report a successful poll');

      const wrong = [...runs].filter(([, n]) => n !== 1);
      expect(wrong).toEqual([]);
      expect(scheduler.isRunning).toBe(true);
      expect(logger.has('error', 'Store claim failed') || logger.has('error', 'Store nextRun failed')).toBe(
        true,
      );
      expect(logger.has('error', 'Store settle failed')).toBe(true);
      // The LISTEN connection was cut too; the store got it back.
      expect(logger.has('warn', 'LISTEN')).toBe(true);
      await waitFor(() => logger.has('log', 'connection re-established'), 'LISTEN to be re-established');
      reportFact(
        `outage: ${outageMs} ms; ${terminated} store connections terminated; ${ranBeforeOutage} jobs ran before, ` +
          `${runs.size - ranBeforeOutage} after; store errors by operation ${JSON.stringify(countBy(storeErrors, (operation) => operation))}; ` +
          `health during outage ${JSON.stringify(healthDuringOutage)}`,
      );
    } finally {
      if (outage) await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await admin.end();
      await scheduler.stop({ timeoutMs: 2000 });
      await store.close();
    }
  }, 60_000);
});
