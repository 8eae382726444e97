/**
 * `npm run bench:console-plans`: EXPLAIN (ANALYZE, BUFFERS) of every PostgreSQL statement the
 * console runs, with 100,000 tasks of five kinds (1 % paused, 1 % failed, 0.2 % held by a lease) and
 * 200,000 history records over a week, on `PG_URL` or an embedded server. Prints the plans as
 * docs/console.md quotes them: after VACUUM ANALYZE (what autovacuum leaves), then `countByKind`
 * again after half the table was rewritten and not yet vacuumed.
 */
import pg from 'pg';

import { silentLogger } from '../lib/core/logger.js';
import { PostgresStore } from '../lib/stores/postgres/index.js';
import { resolveNames } from '../lib/stores/postgres/names.js';
import { buildQueries } from '../lib/stores/postgres/queries.js';
import { prefixUpperBound } from '../lib/stores/postgres/slug-range.js';
import { seedConsoleTables } from './console-data.js';
import { acquireServer, createDatabase } from './pg-server.js';

const SCHEMA = 'console_plans';
const TASKS = 100_000;
const HISTORY = 200_000;

async function main(): Promise<void> {
  const server = await acquireServer(process.env.PG_URL, false);
  const database = await createDatabase(server.url, 'console_plans');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const store = new PostgresStore({ pool, schema: SCHEMA, logger: silentLogger, notify: false });
  try {
    await store.init();
    await seedConsoleTables((text, values) => pool.query(text, values), SCHEMA, {
      tasks: TASKS,
      history: HISTORY,
      historyEverySeconds: 3,
    });
    const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]
      ?.v;
    console.log(`PostgreSQL ${version}; ${TASKS} tasks, ${HISTORY} history records (VACUUM ANALYZE done)`);

    const queries = buildQueries(resolveNames(SCHEMA));
    const explain = async (label: string, name: keyof typeof queries, values: unknown[]): Promise<void> => {
      // Warm the cache first, as a console that refreshes every few seconds keeps it.
      await pool.query(queries[name].text, values);
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${queries[name].text}`,
        values,
      );
      console.log(`\n-- ${label}\n${rows.map((row) => row['QUERY PLAN']).join('\n')}`);
    };
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await explain('countByKind: the overview, per kind and state', 'countByKind', []);
    await explain('countHistory: runs and failures in the last hour', 'countHistory', [hourAgo]);
    await explain('list (no filter): the first page of the task table', 'list', ['', null, 51]);
    await explain('listPrefix: slugs starting with "task-0123", kind k1', 'listPrefix', [
      '',
      null,
      51,
      'k1',
      'task-0123',
      prefixUpperBound('task-0123'),
    ]);
    await explain('listSparse: the failed view', 'listSparse', ['', 'failed', 51, null, '']);
    await explain('listSparse: running tasks', 'listSparse', ['', 'running', 51, null, '']);
    await explain('listInstances: live instances', 'listInstances', [30_000]);

    await pool.query(`UPDATE ${SCHEMA}.scheduler_tasks SET updated_at = now() WHERE slug < 'task-050000'`);
    await pool.query(`ANALYZE ${SCHEMA}.scheduler_tasks`);
    await explain('countByKind after half the rows were rewritten, before autovacuum', 'countByKind', []);
  } finally {
    await store.close();
    await pool.end();
    await database.drop();
    await server.stop();
  }
}

await main();
