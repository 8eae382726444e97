import type { SchedulerLogger } from '../../lib/core/logger.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { withFaults } from '../support/faulty-store.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { reportFact, waitFor } from './support/runs-table.js';

const db = usePostgresDatabase();

const LEASE_MS = 1500;
const HOUR = 3_600_000;

/** Keeps the warnings and errors a scheduler logs. */
class LineLogger implements SchedulerLogger {
  readonly lines: string[] = [];
  log(): void {}
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
}

interface TaskRow {
  locked_by: string | null;
  version: string;
  result: string | null;
  run_at: Date;
}

const readTask = async (slug: string): Promise<TaskRow | undefined> =>
  (
    await db.query<TaskRow>(
      'SELECT locked_by, version, result, run_at FROM scheduler_tasks WHERE slug = $1',
      [slug],
    )
  )[0];

/**
 * Two schedulers on the real PostgresStore, in this process. The first one's job keeps running while
 * that instance is cut off from the database (a fault-injecting wrapper refuses its lease renewals
 * and claims; the data stays in PostgreSQL). Its lease expires, the second instance claims the task,
 * runs it and writes its outcome. When the first job finally returns and its instance reaches the
 * database again, its outcome is refused (fenced on owner and version) and it reports the lost lease.
 */
describe('fencing on PostgreSQL: a stale owner cannot overwrite the newer owner’s outcome', () => {
  it('refuses the outcome of the instance whose lease expired while its job ran', async () => {
    const staleStore = new PostgresStore({ pool: db.pool({ max: 3 }), logger: silentLogger });
    const partition = withFaults(staleStore);
    const staleLog = new LineLogger();
    const stale = new StdScheduler(partition.store, {
      instanceId: 'stale',
      leaseMs: LEASE_MS,
      logger: staleLog,
      history: { retention: '1d' },
    });
    const newStore = new PostgresStore({ pool: db.pool({ max: 3 }), logger: silentLogger });
    const newOwner = new StdScheduler(newStore, {
      instanceId: 'new-owner',
      leaseMs: LEASE_MS,
      logger: silentLogger,
      history: { retention: '1d' },
    });

    let staleStarted = false;
    let letStaleFinish!: () => void;
    const staleGate = new Promise<void>((resolve) => (letStaleFinish = resolve));
    stale.registerJob({
      kind: 'contested',
      execute: async (task) => {
        staleStarted = true;
        await staleGate; // ignores its signal on purpose: a job that overran its lease
        return { ...task, result: 'by stale', runAt: new Date(Date.now() + 2 * HOUR) };
      },
    });
    const newOwnerRunAt = new Date(Math.ceil((Date.now() + HOUR) / 1000) * 1000);
    newOwner.registerJob({
      kind: 'contested',
      execute: async (task) => ({ ...task, result: 'by new owner', runAt: newOwnerRunAt }),
    });
    const lost: Array<{ slug: string; instanceId: string }> = [];
    stale.on('lease.lost', ({ slug, instanceId }) => lost.push({ slug, instanceId }));

    try {
      await stale.start();
      await stale.scheduleJob('contested', 'contested');
      await waitFor(() => staleStarted, 'the stale instance to start the job');
      expect(await readTask('contested')).toMatchObject({ locked_by: 'stale', version: '2' });

      // Cut off: no renewal, no claim, no probe. Its job goes on running.
      for (const operation of ['extendLease', 'claim', 'nextRun'] as const) partition.failing.add(operation);
      const cutAt = Date.now();
      await newOwner.start();
      await waitFor(
        async () => (await readTask('contested'))?.result === 'by new owner',
        'the new owner to take over and settle',
      );
      const settledByNewOwner = await readTask('contested');
      expect(settledByNewOwner).toEqual({
        locked_by: null,
        version: '3',
        result: 'by new owner',
        run_at: newOwnerRunAt,
      });
      reportFact(
        `fencing: lease ${LEASE_MS} ms; the new owner had settled ${Date.now() - cutAt} ms after the cut`,
      );

      // Reachable again for claims and outcomes (renewals still refused, so that the stale
      // instance learns of its loss from the refused outcome, not from a renewal).
      partition.failing.delete('claim');
      partition.failing.delete('nextRun');
      letStaleFinish();
      await waitFor(
        () => lost.length > 0 && stale.health().inFlight === 0,
        'the stale instance to learn it lost the lease',
      );

      expect(await readTask('contested')).toEqual(settledByNewOwner);
      expect(lost).toEqual([{ slug: 'contested', instanceId: 'stale' }]);
      expect(staleLog.lines.some((line) => line.startsWith('warn:') && line.includes('lease was lost'))).toBe(
        true,
      );
      // History tells the two runs apart: the stale run's outcome was not applied.
      await waitFor(
        async () => (await newOwner.getJobHistory('contested')).length === 2,
        'both runs in the history',
      );
      const history = await newOwner.getJobHistory('contested');
      expect(
        history
          .map(({ instanceId, outcome }) => ({ instanceId, outcome }))
          .sort((x, y) => x.instanceId.localeCompare(y.instanceId)),
      ).toEqual([
        { instanceId: 'new-owner', outcome: 'succeeded' },
        { instanceId: 'stale', outcome: 'lease-lost' },
      ]);
    } finally {
      partition.failing.clear();
      await Promise.all([stale.stop({ timeoutMs: 1000 }), newOwner.stop({ timeoutMs: 1000 })]);
      await Promise.all([staleStore.close(), newStore.close()]);
    }
  }, 30_000);
});
