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
} from './support/runs-table.js';
import { killAllWorkers, startWorker } from './support/worker-process.js';

const db = usePostgresDatabase();

const LEASE_MS = 1500;

/**
 * A process dies (SIGKILL: no stop, no release, no outcome) in the middle of a job. Its lease runs
 * out and another process runs the job again; tasks the dead process had already finished, and
 * tasks scheduled after the crash, each run exactly once.
 */
describe('a scheduler process killed in the middle of a job', () => {
  afterAll(async () => {
    await killAllWorkers();
  });

  it('has its job run by another process once the lease expired, disturbing nothing else', async () => {
    await createRunsTable(db);
    const pool = db.pool({ max: 3 });
    const store = new PostgresStore({ pool, logger: silentLogger });
    const parent = new StdScheduler(store, { instanceId: 'parent', logger: silentLogger });
    try {
      // The victim starts alone, so that it is the doomed process that claims the hanging job.
      const doomed = startWorker({ url: db.url, instanceId: 'doomed', leaseMs: LEASE_MS, hang: true });
      await doomed.ready;
      await parent.scheduleJob('victim', 'hang', { payload: { important: true } });
      await waitFor(
        async () => (await readRuns(db)).some((run) => run.slug === 'victim'),
        'the victim to start',
      );

      const survivor = startWorker({ url: db.url, instanceId: 'survivor', leaseMs: LEASE_MS });
      await survivor.ready;

      // Work before the crash, run by either process and fully settled (rows gone) before the kill.
      for (let i = 0; i < 20; i++) await parent.scheduleJob(`before-${i}`, 'work');
      await waitFor(
        async () => (await db.query(`SELECT 1 FROM scheduler_tasks WHERE slug LIKE 'before-%'`)).length === 0,
        'the work before the crash to be settled',
      );
      const [held] = await db.query<{ locked_by: string; version: string; lease_left_ms: number }>(
        `SELECT locked_by, version, (extract(epoch FROM locked_until - now()) * 1000)::int AS lease_left_ms
         FROM scheduler_tasks WHERE slug = 'victim'`,
      );
      expect(held).toMatchObject({ locked_by: 'doomed', version: '2' });

      const killedAt = Date.now();
      const exit = await doomed.kill();
      expect(exit).toEqual({ code: null, signal: 'SIGKILL' });

      for (let i = 0; i < 20; i++) await parent.scheduleJob(`after-${i}`, 'work');
      await waitFor(
        async () => (await db.query(`SELECT 1 FROM scheduler_tasks`)).length === 0,
        'the victim to be run again and every task to be done',
      );
      const stopped = await survivor.stop();
      if (stopped.code !== 0)
        throw new Error(`survivor exited ${JSON.stringify(stopped)}:\n${survivor.stderr()}`);

      const runs = await readRuns(db);
      const victim = runs.filter((run) => run.slug === 'victim');
      expect(victim.map(({ instanceId, phase }) => ({ instanceId, phase }))).toEqual([
        { instanceId: 'doomed', phase: 'started' },
        { instanceId: 'survivor', phase: 'started' },
        { instanceId: 'survivor', phase: 'done' },
      ]);
      // The same fire, run again: not a new one.
      expect(new Set(victim.map((run) => run.scheduledMs)).size).toBe(1);

      const counts = doneCountBySlug(runs);
      const others = [...counts.keys()].filter((slug) => slug !== 'victim').sort();
      expect(others).toEqual([...Array(20).keys()].flatMap((i) => [`after-${i}`, `before-${i}`]).sort());
      expect(others.filter((slug) => counts.get(slug) !== 1)).toEqual([]);

      const takeover = victim[1].at.getTime() - killedAt;
      reportFact(
        `crash: lease ${LEASE_MS} ms (${held.lease_left_ms} ms left just before the kill); the survivor started the victim ${takeover} ms after the SIGKILL; ` +
          `survivor report ${JSON.stringify(survivor.stopReport())}; ` +
          `before-crash work by ${JSON.stringify(
            countBy(
              runs.filter((r) => r.slug.startsWith('before-')),
              (r) => r.instanceId,
            ),
          )}`,
      );
      expect(survivor.stopReport()).toMatchObject({ leaseLost: 0, failed: 0 });
    } finally {
      await store.close();
      await db.endPool(pool);
    }
  }, 60_000);
});
