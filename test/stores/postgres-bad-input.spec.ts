import {
  InvalidArgumentError,
  InvalidPayloadError,
  InvalidSlugError,
  InvalidStoreOptionError,
  StoreClosedError,
} from '../../lib/core/errors/index.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { silentLogger } from '../../lib/core/logger.js';
import type { NewTask } from '../../lib/core/store/job-store.js';
import { PostgresStore, type PostgresStoreOptions } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();
const KIND = 'bad-input-kind';

function task(slug: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    slug,
    kind: KIND,
    payload: null,
    runAt: new Date(Date.UTC(2001, 0, 1)),
    schedule: null,
    ...overrides,
  };
}

describe('PostgresStore: bad input', () => {
  describe('schema and table names', () => {
    const bad: unknown[] = [
      '',
      'tasks; DROP TABLE users',
      'my-table',
      'my table',
      '"quoted"',
      'tâches',
      '1st',
      'a.b',
      "o'clock",
      'x'.repeat(41),
      42,
      null,
    ];

    it.each(bad.map((name) => [JSON.stringify(name), name]))('refuses the table name %s', (_label, name) => {
      const pool = db.pool({ max: 1 });
      expect(() => new PostgresStore({ pool, tableName: name as string })).toThrow(InvalidStoreOptionError);
    });

    it.each(bad.filter((name) => name !== 'x'.repeat(41)).map((name) => [JSON.stringify(name), name]))(
      'refuses the schema name %s',
      (_label, name) => {
        const pool = db.pool({ max: 1 });
        expect(() => new PostgresStore({ pool, schema: name as string })).toThrow(InvalidStoreOptionError);
      },
    );

    it('accepts plain identifiers, mixed case included, and quotes them', async () => {
      const pool = db.pool({ max: 2 });
      const store = new PostgresStore({
        pool,
        schema: 'MixedCase',
        tableName: 'My_Tasks_2',
        logger: silentLogger,
      });
      try {
        await store.init();
        expect(store.names.tasks).toBe('"MixedCase"."My_Tasks_2"');
        await store.create(task('a'));
        expect(await db.query('SELECT slug FROM "MixedCase"."My_Tasks_2"')).toEqual([{ slug: 'a' }]);
      } finally {
        await store.close();
      }
    });

    it('derives a LISTEN channel that fits in 63 bytes for the longest names', () => {
      const pool = db.pool({ max: 1 });
      const store = new PostgresStore({ pool, schema: 's'.repeat(63), tableName: 't'.repeat(40) });
      expect(Buffer.byteLength(store.names.channel)).toBeLessThanOrEqual(63);
      const other = new PostgresStore({ pool, schema: 's'.repeat(63), tableName: `${'t'.repeat(39)}u` });
      expect(other.names.channel).not.toBe(store.names.channel);
    });
  });

  describe('connection options', () => {
    it('wants exactly one of pool, connectionString and dataSource', () => {
      const pool = db.pool({ max: 1 });
      expect(() => new PostgresStore({} as PostgresStoreOptions)).toThrow(InvalidStoreOptionError);
      expect(
        () => new PostgresStore({ pool, connectionString: db.url } as unknown as PostgresStoreOptions),
      ).toThrow(InvalidStoreOptionError);
      expect(() => new PostgresStore({ connectionString: '' })).toThrow(InvalidStoreOptionError);
    });

    it('refuses to hold the only connection of a pool for LISTEN', async () => {
      const tiny = db.pool({ max: 1 });
      const store = new PostgresStore({ pool: tiny, schema: 'tiny', logger: silentLogger });
      await expect(store.init()).rejects.toBeInstanceOf(InvalidStoreOptionError);
      const quiet = new PostgresStore({ pool: tiny, schema: 'tiny', notify: false, logger: silentLogger });
      await quiet.init();
      expect(await quiet.getSlugs()).toEqual([]);
      await quiet.close();
      await store.close();
    });

    it('refuses every call after close(), and a scheduler start() on it, with StoreClosedError', async () => {
      const store = new PostgresStore({ connectionString: db.url, schema: 'closed', logger: silentLogger });
      const scheduler = new StdScheduler(store, { logger: silentLogger });
      await scheduler.start();
      await scheduler.stop();
      await store.close();
      await expect(scheduler.start()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.get('x')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.migrate()).rejects.toBeInstanceOf(StoreClosedError);
      expect(scheduler.isRunning).toBe(false);
    });

    it('refuses a bad queryTimeoutMs', () => {
      expect(() => new PostgresStore({ connectionString: db.url, queryTimeoutMs: -1 })).toThrow(
        InvalidStoreOptionError,
      );
    });

    it('refuses a DataSource that is not PostgreSQL, and one not initialised yet at init()', async () => {
      const mysql = { isInitialized: true, options: { type: 'mysql' }, driver: {} };
      expect(() => new PostgresStore({ dataSource: mysql })).toThrow(InvalidStoreOptionError);
      const notYet = { isInitialized: false, options: { type: 'postgres' }, driver: {} };
      await expect(new PostgresStore({ dataSource: notYet }).init()).rejects.toBeInstanceOf(
        InvalidStoreOptionError,
      );
    });
  });

  describe('values', () => {
    let store: PostgresStore;
    const count = async (): Promise<number> =>
      Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM bad_values.scheduler_tasks'))[0].n);

    beforeAll(async () => {
      store = new PostgresStore({ pool: db.pool({ max: 3 }), schema: 'bad_values', logger: silentLogger });
      await store.init();
    });
    afterAll(async () => {
      await store.close();
    });
    beforeEach(async () => {
      await store.clear();
    });

    const unstorable: Array<[string, unknown]> = [
      ['undefined', undefined],
      ['a function', { f: () => 1 }],
      ['a bigint', { n: BigInt(1) }],
      ['NaN', { n: Number.NaN }],
      ['Infinity (what 1e400 parses to)', { n: JSON.parse('1e400') as number }],
      ['a Date', { at: new Date(0) }],
      ['a Map', new Map([['a', 1]])],
      ['a nested Buffer', { bytes: Buffer.from([1]) }],
      ['a symbol', { s: Symbol('s') }],
    ];

    it.each(unstorable)('refuses a payload with %s before anything is written', async (_name, payload) => {
      await expect(store.create(task('p', { payload: payload as null }))).rejects.toBeInstanceOf(
        InvalidPayloadError,
      );
      expect(await count()).toBe(0);
    });

    it('refuses a cyclic payload before anything is written', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(store.create(task('p', { payload: cyclic as unknown as null }))).rejects.toBeInstanceOf(
        InvalidPayloadError,
      );
      expect(await count()).toBe(0);
    });

    it('refuses an unstorable payload in update and in a settle batch, writing none of the batch', async () => {
      await store.create(task('a', { payload: 'a' }));
      await store.create(task('b', { payload: 'b' }));
      await expect(store.update('a', { payload: { n: Number.NaN } as never })).rejects.toBeInstanceOf(
        InvalidPayloadError,
      );
      const [a, b] = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 60_000, limit: 2 });
      await expect(
        store.settle('o', [
          { slug: a.slug, version: a.version, type: 'delete' },
          {
            slug: b.slug,
            version: b.version,
            type: 'reschedule',
            runAt: new Date(),
            retry: 0,
            result: null,
            failed: false,
            payload: { when: new Date() } as never,
          },
        ]),
      ).rejects.toBeInstanceOf(InvalidPayloadError);
      expect(await count()).toBe(2);
      expect(await store.get('a')).toMatchObject({ payload: 'a', lockedBy: 'o' });
    });

    it('refuses a slug or kind holding U+0000 (PostgreSQL text cannot), before anything is written', async () => {
      await expect(store.create(task('a\u0000b'))).rejects.toBeInstanceOf(InvalidSlugError);
      await expect(store.create(task('ok', { kind: 'k\u0000' }))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(store.create(task('ok', { runAt: new Date(Number.NaN) }))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await count()).toBe(0);
    });

    it('keeps a result holding U+0000 from failing a batch of outcomes (stored as U+FFFD)', async () => {
      await store.create(task('a'));
      await store.create(task('b'));
      const held = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 60_000, limit: 2 });
      const result = await store.settle(
        'o',
        held.map((t) => ({
          slug: t.slug,
          version: t.version,
          type: 'reschedule' as const,
          runAt: new Date(Date.UTC(2100, 0, 1)),
          retry: 1,
          result: 'bad \u0000 byte',
          failed: false,
        })),
      );
      expect(result.applied.sort()).toEqual(['a', 'b']);
      expect((await store.get('a'))?.result).toBe('bad \uFFFD byte');
    });

    it('never claims a task of a kind nobody asks for', async () => {
      await store.create(task('orphan', { kind: 'nobody-registers-this' }));
      await store.create(task('mine'));
      const held = await store.claim({ kinds: [KIND, 'another'], owner: 'o', leaseMs: 60_000, limit: 10 });
      expect(held.map((t) => t.slug)).toEqual(['mine']);
      expect(await store.get('orphan')).toMatchObject({ lockedBy: null, lockedUntil: null, version: 1 });
    });

    it('refuses a page size outside 1..1000', async () => {
      await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.list({ limit: 1001 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
