import type pg from 'pg';

import { silentLogger } from '../../lib/core/logger.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';
import { prefixUpperBound } from '../../lib/stores/postgres/slug-range.js';
import { seedConsoleTables } from '../../bench/console-data.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { planOf, type PlanNode } from '../support/query-plans.js';

const db = usePostgresDatabase();
const SCHEMA = 'console_explain';
const ROWS = 100_000;
const HISTORY_ROWS = 100_000;
const queries = buildQueries(resolveNames(SCHEMA));

const seqScans = (nodes: PlanNode[]): string[] =>
  nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'] as string);
/** The indexes the executed plan read (a generic plan may hold branches it never runs). */
const indexesUsed = (nodes: PlanNode[]): string[] =>
  [
    ...new Set(
      nodes
        .filter((n) => (n['Actual Loops'] ?? 0) > 0)
        .map((n) => n['Index Name'])
        .filter((name): name is string => name !== undefined),
    ),
  ].sort();

/**
 * The console's statements with 100,000 tasks and 100,000 history records over four days (see
 * bench/console-data.ts), vacuumed and analysed as autovacuum leaves a table:
 * every one reads an index (or a range of one), never the whole tasks or history table. What they
 * cost is in docs/console.md (`npm run bench:console-plans`).
 */
describe(`PostgresStore: the console's query plans with ${ROWS.toLocaleString('en')} tasks`, () => {
  let store: PostgresStore;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = db.pool({ max: 2 });
    store = new PostgresStore({ pool, schema: SCHEMA, logger: silentLogger, notify: false });
    await store.init();
    await seedConsoleTables((text, values) => db.query(text, values), SCHEMA, {
      tasks: ROWS,
      history: HISTORY_ROWS,
      historyEverySeconds: 3.5,
    });
  });

  afterAll(async () => {
    await store.close();
  });

  /** The plan of a statement as the store runs it: with its values (custom) or prepared (generic). */
  async function plan(
    name: keyof typeof queries,
    values: unknown[],
    mode: 'custom' | 'generic',
  ): Promise<PlanNode[]> {
    const client = await pool.connect();
    try {
      return await planOf(client, queries[name].text, values, mode, true);
    } finally {
      client.release();
    }
  }

  it.each(['custom', 'generic'] as const)(
    'counts per kind from the three partial indexes, "scheduled" by an index-only scan (%s plan)',
    async (mode) => {
      const nodes = await plan('countByKind', [], mode);
      expect(seqScans(nodes)).toEqual([]);
      expect(indexesUsed(nodes)).toEqual([
        'scheduler_tasks_leased_idx',
        'scheduler_tasks_parked_idx',
        'scheduler_tasks_ready_idx',
      ]);
      const due = nodes.find((n) => n['Index Name'] === 'scheduler_tasks_ready_idx');
      expect(due?.['Node Type']).toBe('Index Only Scan');
    },
  );

  it('counts the same as reading every task', async () => {
    const counts = await store.countByKind();
    expect(counts.map((c) => c.kind)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    const total = counts.reduce((sum, c) => sum + c.scheduled + c.running + c.failed + c.paused, 0);
    expect(total).toBe(ROWS);
    const [expected] = await db.query<{ paused: string; running: string }>(
      `SELECT count(*) FILTER (WHERE paused AND NOT coalesce(locked_until > now(), false)) AS paused,
              count(*) FILTER (WHERE coalesce(locked_until > now(), false)) AS running
       FROM ${SCHEMA}.scheduler_tasks`,
    );
    expect(counts.reduce((sum, c) => sum + c.paused, 0)).toBe(Number(expected!.paused));
    expect(counts.reduce((sum, c) => sum + c.running, 0)).toBe(Number(expected!.running));
  });

  it.each(['custom', 'generic'] as const)(
    'counts the last hour of runs with a range of the finish-time index (%s plan)',
    async (mode) => {
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const nodes = await plan('countHistory', [since], mode);
      expect(seqScans(nodes)).toEqual([]);
      expect(indexesUsed(nodes)).toEqual(['scheduler_tasks_history_finished_idx']);
      const read = nodes.find((n) => n['Index Name'])?.['Actual Rows'] ?? 0;
      expect(read).toBeLessThan(HISTORY_ROWS / 50);
    },
  );

  it.each(['custom', 'generic'] as const)(
    'pages by slug prefix with a bounded primary key range that ends with the prefix (%s plan)',
    async (mode) => {
      // 'task-0123' holds 100 tasks: a page of 51 of one kind reads the range and stops at its end.
      const nodes = await plan(
        'listPrefix',
        ['', null, 51, 'k1', 'task-0123', prefixUpperBound('task-0123')],
        mode,
      );
      expect(seqScans(nodes)).toEqual([]);
      const scan = nodes.find((n) => n['Index Name'] === 'scheduler_tasks_pkey');
      expect(scan?.['Index Cond']).toMatch(/slug >= .*slug < /);
      expect(scan?.['Actual Rows']).toBeLessThanOrEqual(100);
    },
  );

  it.each([
    ['failed', 'custom'],
    ['failed', 'generic'],
    ['paused', 'generic'],
    ['running', 'generic'],
  ] as const)(
    'lists the %s tasks from the small partial indexes, not the primary key (%s plan)',
    async (state, mode) => {
      const nodes = await plan('listSparse', ['', state, 51, null, ''], mode);
      expect(seqScans(nodes)).toEqual([]);
      expect(indexesUsed(nodes)).toEqual(
        state === 'running'
          ? ['scheduler_tasks_leased_idx', 'scheduler_tasks_parked_idx']
          : ['scheduler_tasks_parked_idx'],
      );
    },
  );

  it('lists and pages the failed tasks correctly', async () => {
    const first = await store.list({ state: 'failed', limit: 50 });
    const second = await store.list({ state: 'failed', limit: 50, cursor: first.nextCursor });
    const all = await db.query<{ slug: string }>(
      `SELECT slug FROM ${SCHEMA}.scheduler_tasks WHERE failed AND NOT paused AND NOT coalesce(locked_until > now(), false)
       ORDER BY slug LIMIT 100`,
    );
    expect([...first.tasks, ...second.tasks].map((t) => t.slug)).toEqual(all.map((r) => r.slug));
  });
});
