import type pg from 'pg';

import { silentLogger } from '../../lib/core/logger.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { planOf, seqScansOfTasks, type PlanNode } from '../support/query-plans.js';

const db = usePostgresDatabase();
const SCHEMA = 'explain';
const ROWS = 200_000;
const queries = buildQueries(resolveNames(SCHEMA));

const indexesUsed = (nodes: PlanNode[]): string[] =>
  [...new Set(nodes.map((n) => n['Index Name']).filter((name): name is string => name !== undefined))].sort();

/**
 * With 200,000 tasks of five kinds (half due, half in the future, some held, some paused or
 * failed), the idle probe and the claim are index range scans, never a scan of the table.
 */
describe(`PostgresStore: query plans with ${ROWS.toLocaleString('en')} tasks`, () => {
  let store: PostgresStore;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = db.pool({ max: 3 });
    store = new PostgresStore({ pool, schema: SCHEMA, logger: silentLogger, notify: false });
    await store.init();
    await db.query(
      `INSERT INTO ${SCHEMA}.scheduler_tasks (slug, kind, payload, run_at, paused, failed, locked_by, locked_until)
       SELECT 'task-' || g,
              'k' || (g % 5),
              '{}'::json,
              CASE WHEN g % 2 = 0 THEN now() - (g || ' seconds')::interval ELSE now() + (g || ' seconds')::interval END,
              g % 97 = 0,
              g % 89 = 0,
              CASE WHEN g % 50 = 0 THEN 'some-instance' END,
              CASE WHEN g % 50 = 0 THEN now() + interval '1 minute' END
       FROM generate_series(1, $1) AS g`,
      [ROWS],
    );
    await db.query(`ANALYZE ${SCHEMA}.scheduler_tasks`);
  });

  afterAll(async () => {
    await store.close();
  });

  it.each(['custom', 'generic'] as const)(
    'nextRun probes the two partial indexes (%s plan)',
    async (mode) => {
      const client = await pool.connect();
      try {
        const nodes = await planOf(client, queries.nextRun.text, [['k1', 'k2', 'k3']], mode, true);
        expect(seqScansOfTasks(nodes)).toEqual([]);
        expect(indexesUsed(nodes)).toEqual(['scheduler_tasks_leased_idx', 'scheduler_tasks_ready_idx']);
        // One entry per kind from each index: a probe, not a scan.
        for (const node of nodes.filter((n) => n['Index Name']))
          expect(node['Actual Rows']).toBeLessThanOrEqual(1);
      } finally {
        client.release();
      }
    },
  );

  it.each(['custom', 'generic'] as const)(
    'the claim range-scans the partial indexes and updates the rows it locked by their ctid (%s plan)',
    async (mode) => {
      const client = await pool.connect();
      try {
        const nodes = await planOf(client, queries.claim.text, [['k1', 'k2'], 'owner', 30_000, 100], mode);
        expect(seqScansOfTasks(nodes)).toEqual([]);
        expect(indexesUsed(nodes)).toEqual(['scheduler_tasks_leased_idx', 'scheduler_tasks_ready_idx']);
        expect(nodes.filter((n) => n['Node Type'] === 'Tid Scan').map((n) => n['Relation Name'])).toEqual([
          'scheduler_tasks',
        ]);
      } finally {
        client.release();
      }
    },
  );

  it.each(['custom', 'generic'] as const)(
    'pausing or resuming a kind finds its tasks through the three partial indexes (%s plan)',
    async (mode) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const nodes = await planOf(client, queries.setPausedByKind.text, ['k4', true, null], mode);
        await client.query('ROLLBACK');
        expect(seqScansOfTasks(nodes)).toEqual([]);
        expect(indexesUsed(nodes)).toEqual([
          'scheduler_tasks_leased_idx',
          'scheduler_tasks_parked_idx',
          'scheduler_tasks_pkey',
          'scheduler_tasks_ready_idx',
        ]);
      } finally {
        client.release();
      }
    },
  );

  it('claims only due, unheld, unpaused, unfailed tasks of the kinds asked for, in runAt order', async () => {
    const held = await store.claim({ kinds: ['k1', 'k3'], owner: 'me', leaseMs: 60_000, limit: 500 });
    expect(held).toHaveLength(500);
    expect(held.every((t) => t.kind === 'k1' || t.kind === 'k3')).toBe(true);
    expect(held.every((t) => !t.paused && !t.failed && t.version === 2 && t.lockedBy === 'me')).toBe(true);
    const times = held.map((t) => t.runAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const untouched = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${SCHEMA}.scheduler_tasks WHERE locked_by = 'me' AND kind NOT IN ('k1', 'k3')`,
    );
    expect(Number(untouched[0].n)).toBe(0);
  });
});
