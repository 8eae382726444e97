import type { SchedulerLogger } from '../../lib/core/logger.js';
import { silentLogger } from '../../lib/core/logger.js';
import type { NewTask } from '../../lib/core/store/job-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { eventually } from '../../lib/testing/contract/fixtures.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();
const KIND = 'notify-kind';
const at = (second: number): Date => new Date(Date.UTC(2001, 0, 1, 0, 0, second));

function task(slug: string, runAt: Date, overrides: Partial<NewTask> = {}): NewTask {
  return { slug, kind: KIND, payload: null, runAt, schedule: null, ...overrides };
}

/** A logger that keeps what it is told. */
function recordingLogger(): SchedulerLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (message) => lines.push(`log: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}

/** Subscribes to a store's wake-ups (a store built with notify, as these are). */
function onWake(store: PostgresStore, listener: (runAt: Date) => void): () => void {
  if (!store.onWake) throw new Error('this store has no onWake');
  return store.onWake(listener);
}

/** Backend pids of the connections LISTENing on this database. */
async function listenerPids(): Promise<number[]> {
  const rows = await db.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
  );
  return rows.map((r) => r.pid);
}

describe('PostgresStore: LISTEN/NOTIFY wake-ups', () => {
  it('wakes a listener of a second store instance (its own pool) when a task is created or released', async () => {
    const writer = new PostgresStore({ pool: db.pool({ max: 2 }), schema: 'wake', logger: silentLogger });
    const reader = new PostgresStore({
      connectionString: db.url,
      poolConfig: { max: 2 },
      schema: 'wake',
      logger: silentLogger,
    });
    await writer.init();
    await reader.init();
    const heard: number[] = [];
    const stop = onWake(reader, (runAt) => heard.push(runAt.getTime()));
    try {
      await writer.create(task('a', at(5)));
      await eventually(() => heard.includes(at(5).getTime()), 'the wake-up for a created task');

      await writer.create(task('paused', at(6), { paused: true }));
      await writer.create(task('b', at(7)));
      const held = await writer.claim({ kinds: [KIND], owner: 'w', leaseMs: 60_000, limit: 10 });
      await writer.release(
        'w',
        held.map((t) => ({ slug: t.slug, version: t.version })),
      );
      // One NOTIFY per statement: release sends the earliest runAt of what it gave back.
      await writer.create(task('marker', at(9)));
      await eventually(() => heard.includes(at(9).getTime()), 'the marker wake-up');
      expect(heard.filter((ms) => ms === at(5).getTime())).toHaveLength(2); // created, then released
      expect(heard).not.toContain(at(6).getTime()); // a paused task wakes nobody
      expect(heard.filter((ms) => ms === at(7).getTime())).toHaveLength(1); // created only
    } finally {
      stop();
      await reader.close();
      await writer.close();
    }
  });

  it('sends at most one notification for a batch of outcomes: the earliest claimable runAt', async () => {
    const store = new PostgresStore({ pool: db.pool({ max: 3 }), schema: 'batch', logger: silentLogger });
    await store.init();
    for (const slug of ['a', 'b', 'c', 'd']) await store.create(task(slug, at(1)));
    const held = await store.claim({ kinds: [KIND], owner: 'o', leaseMs: 60_000, limit: 10 });
    const heard: number[] = [];
    const stop = onWake(store, (runAt) => heard.push(runAt.getTime()));
    try {
      const targets = [at(30), at(20), at(40)];
      const result = await store.settle('o', [
        { slug: 'a', version: held[0].version, type: 'delete' },
        ...held.slice(1).map((t, i) => ({
          slug: t.slug,
          version: t.version,
          type: 'reschedule' as const,
          runAt: targets[i],
          retry: 0,
          result: null,
          failed: false,
        })),
      ]);
      expect(result.applied.sort()).toEqual(['a', 'b', 'c', 'd']);
      await store.create(task('marker', at(50)));
      await eventually(() => heard.includes(at(50).getTime()), 'the marker wake-up');
      expect(heard.filter((ms) => ms !== 0)).toEqual([at(20).getTime(), at(50).getTime()]);
    } finally {
      stop();
      await store.close();
    }
  });

  it('reconnects after its LISTEN connection is terminated, logs it, and hears again', async () => {
    const logger = recordingLogger();
    const pool = db.pool({ max: 3 });
    const reader = new PostgresStore({ pool, schema: 'reconnect', logger });
    await reader.init();
    const [before] = await listenerPids();
    const writer = new PostgresStore({
      pool: db.pool({ max: 2 }),
      schema: 'reconnect',
      logger: silentLogger,
    });
    await writer.init();
    const writerPid = (await listenerPids()).find((pid) => pid !== before);
    const heard: number[] = [];
    const stop = onWake(reader, (runAt) => heard.push(runAt.getTime()));
    try {
      expect(before).toBeDefined();
      await db.query('SELECT pg_terminate_backend($1)', [before]);

      // After LISTEN is back, the store wakes its listeners with the epoch: "look again now".
      await eventually(() => heard.includes(0), 'the wake-up that follows a reconnection');
      const after = (await listenerPids()).filter((pid) => pid !== writerPid);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before);
      expect(logger.lines.some((line) => line.startsWith('warn: LISTEN reconnect.scheduler_tasks:'))).toBe(
        true,
      );
      expect(logger.lines).toContain('log: LISTEN reconnect.scheduler_tasks: connection re-established');

      await writer.create(task('after-reconnect', at(3)));
      await eventually(() => heard.includes(at(3).getTime()), 'a wake-up on the new connection');
      // The dead client was thrown away, not returned to the pool.
      expect(pool.totalCount - pool.idleCount).toBe(1);
    } finally {
      stop();
      await writer.close();
      await reader.close();
    }
  });

  it('keeps retrying while the database refuses connections, without throwing', async () => {
    const logger = recordingLogger();
    // Nothing listens on port 1: every attempt fails at once.
    const store = new PostgresStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      migrate: false,
      logger,
    });
    try {
      await store.init();
      await eventually(
        () => logger.lines.filter((line) => line.startsWith('warn: LISTEN')).length >= 3,
        'three failed attempts',
      );
    } finally {
      await store.close();
    }
  });

  it('with notify: false, neither listens nor sends', async () => {
    const quiet = new PostgresStore({
      pool: db.pool({ max: 2 }),
      schema: 'quiet',
      notify: false,
      logger: silentLogger,
    });
    const loud = new PostgresStore({ pool: db.pool({ max: 2 }), schema: 'quiet', logger: silentLogger });
    await quiet.init();
    await loud.init();
    const heardByLoud: number[] = [];
    const stop = onWake(loud, (runAt) => heardByLoud.push(runAt.getTime()));
    try {
      expect(quiet.onWake).toBeUndefined(); // the engine then knows to rely on polling
      expect(await listenerPids()).toHaveLength(1); // loud's only
      await quiet.create(task('silent', at(1)));
      await loud.create(task('marker', at(2)));
      await eventually(() => heardByLoud.includes(at(2).getTime()), 'the marker wake-up');
      expect(heardByLoud).not.toContain(at(1).getTime());
    } finally {
      stop();
      await quiet.close();
      await loud.close();
    }
  });
});
