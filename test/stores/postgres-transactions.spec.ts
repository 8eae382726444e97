import { DataSource } from 'typeorm';

import { JobAlreadyScheduledError } from '../../lib/core/errors/index.js';
import { silentLogger } from '../../lib/core/logger.js';
import type { NewTask } from '../../lib/core/store/job-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { eventually } from '../../lib/testing/contract/fixtures.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();
const SCHEMA = 'outbox';
const KIND = 'tx-kind';

function task(slug: string, runAt = new Date(Date.UTC(2001, 0, 1))): NewTask {
  return { slug, kind: KIND, payload: { slug }, runAt, schedule: null };
}

/**
 * Transactional scheduling (the outbox pattern): a task created with `{ tx }` exists if and only if
 * the caller's transaction commits, and only a commit wakes other instances.
 */
describe('PostgresStore: create inside the caller’s transaction', () => {
  let store: PostgresStore;
  let listener: PostgresStore;
  const heard: number[] = [];

  beforeAll(async () => {
    store = new PostgresStore({ pool: db.pool({ max: 3 }), schema: SCHEMA, logger: silentLogger });
    await store.init();
    listener = new PostgresStore({ pool: db.pool({ max: 2 }), schema: SCHEMA, logger: silentLogger });
    await listener.init();
    listener.onWake?.((runAt) => heard.push(runAt.getTime()));
    expect(listener.onWake).toBeDefined();
  });

  afterAll(async () => {
    await listener.close();
    await store.close();
  });

  beforeEach(async () => {
    await store.clear();
  });

  describe('with a pg client', () => {
    it('leaves no task and wakes nobody when the transaction rolls back; commits one that wakes', async () => {
      const pool = db.pool({ max: 1 });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await store.create(task('rolled-back', new Date(Date.UTC(2001, 0, 1, 0, 0, 1))), { tx: client });
        // Visible inside the transaction, not outside it.
        expect((await client.query(`SELECT slug FROM ${SCHEMA}.scheduler_tasks`)).rows).toEqual([
          { slug: 'rolled-back' },
        ]);
        expect(await store.get('rolled-back')).toBeNull();
        await client.query('ROLLBACK');
        expect(await store.get('rolled-back')).toBeNull();

        await client.query('BEGIN');
        const created = await store.create(task('committed', new Date(Date.UTC(2001, 0, 1, 0, 0, 2))), {
          tx: client,
        });
        expect(created).toMatchObject({ slug: 'committed', version: 1, payload: { slug: 'committed' } });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await store.getSlugs()).toEqual(['committed']);
      // Notifications arrive in commit order: once the committed one is heard, a rolled-back one would have been.
      await eventually(() => heard.includes(Date.UTC(2001, 0, 1, 0, 0, 2)), 'the committed task’s wake-up');
      expect(heard).not.toContain(Date.UTC(2001, 0, 1, 0, 0, 1));
    });

    it('reports a duplicate slug without aborting the caller’s transaction', async () => {
      await store.create(task('taken'));
      const pool = db.pool({ max: 1 });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await expect(store.create(task('taken'), { tx: client })).rejects.toBeInstanceOf(
          JobAlreadyScheduledError,
        );
        // The transaction is still usable: the duplicate did not raise an SQL error inside it.
        await store.create(task('other'), { tx: client });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await store.getSlugs()).toEqual(['other', 'taken']);
    });

    it('replaces inside the transaction too', async () => {
      await store.create(task('swap'));
      const pool = db.pool({ max: 1 });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const replaced = await store.create(
          { ...task('swap'), payload: 'new' },
          { tx: client, replace: true },
        );
        expect(replaced.version).toBe(2);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect(await store.get('swap')).toMatchObject({ version: 1, payload: { slug: 'swap' } });
    });
  });

  describe('createMany with a pg client', () => {
    it('writes a whole batch in the caller’s transaction: rolled back, nothing; committed, all of it', async () => {
      const pool = db.pool({ max: 1 });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await store.createMany?.([task('bulk-a'), task('bulk-b')], { tx: client });
        expect(await store.getSlugs()).toEqual([]);
        await client.query('ROLLBACK');
        expect(await store.getSlugs()).toEqual([]);

        await client.query('BEGIN');
        const results = await store.createMany?.([task('bulk-c'), task('bulk-d')], { tx: client });
        expect(results?.map((r) => r.status)).toEqual(['created', 'created']);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await store.getSlugs()).toEqual(['bulk-c', 'bulk-d']);
    });

    it('refuses a taken slug without aborting the caller’s transaction, and writes none of that batch', async () => {
      await store.create(task('bulk-taken'));
      const pool = db.pool({ max: 1 });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await expect(
          store.createMany?.([task('bulk-new'), task('bulk-taken')], { tx: client }),
        ).rejects.toMatchObject({ constructor: JobAlreadyScheduledError, slug: 'bulk-taken' });
        // Undone to the savepoint: the first item is gone, the transaction still usable.
        await store.create(task('bulk-after'), { tx: client });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await store.getSlugs()).toEqual(['bulk-after', 'bulk-taken']);
    });
  });

  describe('with TypeORM', () => {
    let dataSource: DataSource;

    beforeAll(async () => {
      dataSource = new DataSource({ type: 'postgres', url: db.url, poolSize: 3 });
      await dataSource.initialize();
    });

    afterAll(async () => {
      await dataSource.destroy();
    });

    it('through a QueryRunner: rollback leaves no task, commit leaves one', async () => {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await store.create(task('qr-rolled-back'), { tx: runner });
        await runner.rollbackTransaction();

        await runner.startTransaction();
        const created = await store.create(task('qr-committed'), { tx: runner.manager });
        expect(created.slug).toBe('qr-committed');
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      expect(await store.getSlugs()).toEqual(['qr-committed']);
    });

    it('through dataSource.transaction(manager => ...): a throw rolls the task back, a return commits it', async () => {
      await expect(
        dataSource.transaction(async (manager) => {
          await store.create(task('em-rolled-back'), { tx: manager });
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      await dataSource.transaction(async (manager) => {
        await manager.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.orders (id int PRIMARY KEY)`);
        await manager.query(`INSERT INTO ${SCHEMA}.orders (id) VALUES (1)`);
        await store.create(task('em-committed'), { tx: manager });
      });
      expect(await store.getSlugs()).toEqual(['em-committed']);
    });

    it('runs a whole store on the DataSource’s pool, and close() leaves the DataSource open', async () => {
      const onDataSource = new PostgresStore({ dataSource, schema: SCHEMA, logger: silentLogger });
      await onDataSource.init();
      await onDataSource.create(task('via-datasource'));
      const [held] = await onDataSource.claim({ kinds: [KIND], owner: 'ds', leaseMs: 60_000, limit: 5 });
      expect(held.slug).toBe('via-datasource');
      expect(
        await onDataSource.settle('ds', [{ slug: held.slug, version: held.version, type: 'delete' }]),
      ).toEqual({
        applied: ['via-datasource'],
        rejected: [],
      });
      await onDataSource.close();
      expect(dataSource.isInitialized).toBe(true);
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });
  });
});
