import type pg from 'pg';

import { silentLogger } from '../../lib/core/logger.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { planOf, seqScansOfTasks as seqScans, type PlanNode } from '../support/query-plans.js';

const db = usePostgresDatabase();
const SCHEMA = 'priority_explain';
/** Due tasks of the flooded kind, at priority 0. */
const DUE_ROWS = 1_000_000;
/** Tasks of the flooded kind at priority 10 that are not due yet. */
const LATER_URGENT_ROWS = 200_000;
const queries = buildQueries(resolveNames(SCHEMA));

const analyze = (client: pg.PoolClient, text: string, values: unknown[], mode: 'custom' | 'generic') =>
  planOf(client, text, values, mode, true);

/** Index entries a plan read from the ready index, over every loop. */
const readyEntriesRead = (nodes: PlanNode[]) =>
  nodes
    .filter((n) => n['Index Name'] === 'scheduler_tasks_ready_idx')
    .reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1), 0);
const biggestSort = (nodes: PlanNode[]) =>
  Math.max(0, ...nodes.filter((n) => n['Node Type'] === 'Sort').map((n) => n['Actual Rows'] ?? 0));

/**
 * With 1,000,000 due tasks of one kind at priority 0, 200,000 of priority 10 not due yet and ten of
 * priority 10 due, the claim is a skip scan of the ready index: it reads the ten urgent ones and
 * the first entries of priority 0 (not the 200,000 later ones of priority 10, nor the million due
 * ones), with no scan of the table and no sort of more than a batch.
 */
describe(`PostgresStore: the claim with priorities at ${DUE_ROWS.toLocaleString('en')} due tasks`, () => {
  let store: PostgresStore;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = db.pool({ max: 3 });
    store = new PostgresStore({ pool, schema: SCHEMA, logger: silentLogger, notify: false });
    await store.init();
    await db.query(
      `INSERT INTO ${SCHEMA}.scheduler_tasks (slug, kind, payload, run_at, priority)
       SELECT 'due-' || g, 'flood', '{}'::json, now() - interval '1 day' + g * interval '1 millisecond', 0
       FROM generate_series(1, $1) AS g
       UNION ALL
       SELECT 'later-' || g, 'flood', '{}'::json, now() + interval '1 day' + g * interval '1 millisecond', 10
       FROM generate_series(1, $2) AS g
       UNION ALL
       SELECT 'urgent-' || g, 'flood', '{}'::json, now() - interval '1 hour', 10
       FROM generate_series(1, 10) AS g
       UNION ALL
       SELECT 'other-' || g, 'other', '{}'::json, now() - interval '1 hour', g % 3
       FROM generate_series(1, 1000) AS g`,
      [DUE_ROWS, LATER_URGENT_ROWS],
    );
    await db.query(`VACUUM ANALYZE ${SCHEMA}.scheduler_tasks`);
  }, 300_000);

  afterAll(async () => {
    await store.close();
  });

  it.each(['custom', 'generic'] as const)(
    'the claim skip-scans the ready index by priority level (%s plan)',
    async (mode) => {
      const client = await pool.connect();
      try {
        const nodes = await analyze(client, queries.claim.text, [['flood'], 'owner', 30_000, 25], mode);
        expect(seqScans(nodes)).toEqual([]);
        expect(nodes.some((n) => n['Index Name'] === 'scheduler_tasks_ready_idx')).toBe(true);
        expect(readyEntriesRead(nodes)).toBeLessThan(200);
        expect(biggestSort(nodes)).toBeLessThanOrEqual(50);
      } finally {
        client.release();
      }
    },
  );

  it.each(['custom', 'generic'] as const)(
    'the claim of a limited kind reads as little (%s plan)',
    async (mode) => {
      const client = await pool.connect();
      try {
        const values = [['flood'], 'owner', 30_000, 25, 250, 50, 1, 100, 60_000];
        const nodes = await analyze(client, queries.claimLimited.text, values, mode);
        expect(seqScans(nodes)).toEqual([]);
        expect(readyEntriesRead(nodes)).toBeLessThan(1000);
        expect(biggestSort(nodes)).toBeLessThanOrEqual(500);
      } finally {
        client.release();
      }
    },
  );

  it.each(['custom', 'generic'] as const)('nextRun probes one entry per level (%s plan)', async (mode) => {
    const client = await pool.connect();
    try {
      const nodes = await analyze(client, queries.nextRun.text, [['flood', 'other']], mode);
      expect(seqScans(nodes)).toEqual([]);
      expect(readyEntriesRead(nodes)).toBeLessThan(20);
    } finally {
      client.release();
    }
  });

  it('claims the urgent ones first, then the earliest of the flood', async () => {
    const first = await store.claim({ kinds: ['flood'], owner: 'me', leaseMs: 60_000, limit: 12 });
    expect(first.slice(0, 10).every((task) => task.priority === 10 && task.slug.startsWith('urgent-'))).toBe(
      true,
    );
    expect(first.slice(10).map((task) => task.slug)).toEqual(['due-1', 'due-2']);
  });
});
