/**
 * A PostgreSQL that stops answering (every connection of the scheduler stalls at the TCP proxy,
 * nothing closed): the API calls fail with a typed timeout instead of hanging, stop() returns, and
 * once the network is back nothing was lost. The deterministic companion of the fault suite's
 * random `stall` / `stop-stalled` steps.
 */
import { StoreTimeoutError } from '../../lib/core/errors/index.js';
import { CapturingLogger } from '../../lib/testing/capturing-logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { until } from '../../lib/testing/operating/operating-harness.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { postgresTarget, TcpProxy, throughProxy } from '../support/tcp-proxy.js';

const db = usePostgresDatabase();

describe('PostgreSQL stalled behind a proxy', () => {
  let proxy: TcpProxy;

  beforeEach(async () => {
    proxy = new TcpProxy(postgresTarget(db.url));
    await proxy.start();
  });

  afterEach(async () => {
    proxy.resume();
    await proxy.close();
  });

  it('bounds scheduleJob and stop(), reports the store error, and loses nothing', async () => {
    const url = throughProxy(db.url, await proxy.start());
    // A second store straight to the database, to look at the table while the proxy stalls.
    const direct = new PostgresStore({ connectionString: db.url, schema: 'stall', migrate: true });
    await direct.init();
    const store = new PostgresStore({
      connectionString: url,
      schema: 'stall',
      logger: new CapturingLogger(),
    });
    const logger = new CapturingLogger();
    const ran: string[] = [];
    const scheduler = new StdScheduler(store, {
      storeTimeoutMs: 1000,
      leaseMs: 2000,
      logger,
      heartbeat: 200,
    });
    scheduler.registerJob({ kind: 'stall-kind', execute: async (task) => void ran.push(task.slug) });
    await scheduler.start();
    await scheduler.scheduleJob('before', 'stall-kind');
    await until(() => ran.includes('before'), 'the first job to run through the proxy');

    proxy.stall();
    await expect(scheduler.scheduleJob('during', 'stall-kind')).rejects.toBeInstanceOf(StoreTimeoutError);
    await until(() => scheduler.health().lastStoreError !== null, 'the loop to report the stalled store');
    expect(scheduler.health().lastStoreError).toContain('did not answer');
    // Written by someone else meanwhile: it must still run once the scheduler is back.
    await direct.create({
      slug: 'queued',
      kind: 'stall-kind',
      payload: null,
      runAt: new Date(),
      schedule: null,
    });

    await scheduler.stop({ timeoutMs: 500 });
    expect(scheduler.isRunning).toBe(false);

    // Statements held at the proxy reach the database now: the stopped instance's last claim may
    // lease 'queued' (2 s), and the timed-out create of 'during' may apply. Neither is lost.
    proxy.resume();
    await store.close();
    const again = new StdScheduler(direct, { logger });
    again.registerJob({ kind: 'stall-kind', execute: async (task) => void ran.push(task.slug) });
    try {
      await again.start();
      await until(async () => (await direct.getSlugs()).length === 0, 'the queued task to run', 30_000);
    } finally {
      await again.stop();
      await direct.close();
    }
    expect(ran.filter((slug) => slug !== 'during').sort()).toEqual(['before', 'queued']);
    expect(ran.filter((slug) => slug === 'during').length).toBeLessThanOrEqual(1);
  }, 60_000);
});
