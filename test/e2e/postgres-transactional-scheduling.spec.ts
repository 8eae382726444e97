import { DataSource } from 'typeorm';

import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { ClaimRequest, JobStore } from '../../lib/core/store/job-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { waitFor } from './support/runs-table.js';

const db = usePostgresDatabase();

const T0 = Date.now();
/** The rolled-back task would be due before the committed one: had it existed, it would have run first. */
const ROLLED_BACK_AT = new Date(T0 - 2000);
const COMMITTED_AT = new Date(T0 - 1000);

/** A running scheduler that records the slugs it runs. */
async function runningScheduler(store: JobStore): Promise<{ scheduler: StdScheduler; ran: string[] }> {
  const ran: string[] = [];
  const scheduler = new StdScheduler(store, { logger: silentLogger });
  scheduler.registerJob({
    kind: 'outbox',
    execute: async (task) => {
      ran.push(task.slug);
    },
  });
  await scheduler.start();
  return { scheduler, ran };
}

/**
 * The store, with its claims counted: `claimsBegun` is how many `lock` calls started, `claimsEnded`
 * the sequence numbers of those that returned.
 */
function countingClaims(store: JobStore): {
  store: JobStore;
  claimsBegun: () => number;
  claimsEnded: number[];
} {
  let begun = 0;
  const claimsEnded: number[] = [];
  const counted = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'claim') {
        return async (request: ClaimRequest) => {
          const sequence = ++begun;
          const tasks = await target.claim(request);
          claimsEnded.push(sequence);
          return tasks;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, claimsBegun: () => begun, claimsEnded };
}

/**
 * `scheduler.scheduleJob(slug, kind, { tx })` through the running engine: the job exists, and runs,
 * if and only if the caller's transaction commits (the outbox pattern).
 */
describe('transactional scheduling through the engine', () => {
  it('with a pg client: a rolled-back transaction leaves no job and runs nothing; a committed one runs', async () => {
    const store = new PostgresStore({ pool: db.pool({ max: 3 }), logger: silentLogger, schema: 'with_pg' });
    const counting = countingClaims(store);
    const { scheduler, ran } = await runningScheduler(counting.store);
    const appPool = db.pool({ max: 1 });
    const client = await appPool.connect();
    try {
      await client.query('CREATE TABLE orders (id text PRIMARY KEY)');

      await client.query('BEGIN');
      await client.query(`INSERT INTO orders VALUES ('order-1')`);
      await scheduler.scheduleJob('invoice-order-1', 'outbox', { runAt: ROLLED_BACK_AT, tx: client });
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      await client.query(`INSERT INTO orders VALUES ('order-2')`);
      await scheduler.scheduleJob('invoice-order-2', 'outbox', { runAt: COMMITTED_AT, tx: client });
      // scheduleJob woke the loop: a claim that began after the insert finds nothing it may run
      // while the transaction is open.
      const begunBefore = counting.claimsBegun();
      await waitFor(
        () => counting.claimsEnded.some((sequence) => sequence > begunBefore),
        'a claim after the insert',
      );
      expect(ran).toEqual([]);
      await client.query('COMMIT');

      await waitFor(() => ran.includes('invoice-order-2'), 'the committed job to run');
      await waitFor(async () => (await store.getSlugs()).length === 0, 'its outcome to be written');
      expect(ran).toEqual(['invoice-order-2']);
      expect(await db.query('SELECT id FROM orders')).toEqual([{ id: 'order-2' }]);
    } finally {
      client.release();
      await scheduler.stop();
      await store.close();
    }
  });

  it('with a TypeORM EntityManager: a rolled-back transaction leaves no job and runs nothing; a committed one runs', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: db.url, poolSize: 4 });
    await dataSource.initialize();
    // The store on the same DataSource, as in a Nest application.
    const store = new PostgresStore({ dataSource, logger: silentLogger, schema: 'with_typeorm' });
    const { scheduler, ran } = await runningScheduler(store);
    try {
      await dataSource.query('CREATE TABLE payments (id text PRIMARY KEY)');

      await expect(
        dataSource.transaction(async (manager) => {
          await manager.query(`INSERT INTO payments VALUES ('payment-1')`);
          await scheduler.scheduleJob('receipt-payment-1', 'outbox', { runAt: ROLLED_BACK_AT, tx: manager });
          throw new Error('card declined');
        }),
      ).rejects.toThrow('card declined');

      await dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO payments VALUES ('payment-2')`);
        await scheduler.scheduleJob('receipt-payment-2', 'outbox', { runAt: COMMITTED_AT, tx: manager });
      });

      await waitFor(() => ran.includes('receipt-payment-2'), 'the committed job to run');
      await waitFor(async () => (await store.getSlugs()).length === 0, 'its outcome to be written');
      expect(ran).toEqual(['receipt-payment-2']);
      expect(await db.query('SELECT id FROM payments')).toEqual([{ id: 'payment-2' }]);
    } finally {
      await scheduler.stop();
      await store.close();
      await dataSource.destroy();
    }
  });
});
