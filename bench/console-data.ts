/**
 * The data the console's PostgreSQL plans are measured on (`npm run bench:console-plans`) and
 * checked on (test/stores/postgres-console-explain.spec.ts): `tasks` tasks of five kinds, 1 % paused,
 * 1 % failed and 0.2 % held by a live lease, due over the next hour; `history` records, one every
 * `historyEverySeconds` back from now (5 % failed). Then VACUUM ANALYZE, as autovacuum leaves tables.
 */
export async function seedConsoleTables(
  query: (text: string, values?: unknown[]) => Promise<unknown>,
  schema: string,
  sizes: { tasks: number; history: number; historyEverySeconds: number },
): Promise<void> {
  await query(
    `INSERT INTO ${schema}.scheduler_tasks (slug, kind, payload, run_at, paused, failed, locked_by, locked_until)
     SELECT 'task-' || lpad(g::text, 6, '0'), 'k' || (g % 5), '{"n":1}'::json, now() + (g % 3600 || ' seconds')::interval,
            g % 97 = 0, g % 89 = 0,
            CASE WHEN g % 500 = 0 THEN 'some-instance' END,
            CASE WHEN g % 500 = 0 THEN now() + interval '1 minute' END
     FROM generate_series(1, $1) AS g`,
    [sizes.tasks],
  );
  await query(
    `INSERT INTO ${schema}.scheduler_tasks_history
       (slug, kind, scheduled_at, started_at, finished_at, outcome, error, attempt, instance_id)
     SELECT 'task-' || lpad((g % $1)::text, 6, '0'), 'k' || (g % 5), t, t, t,
            CASE WHEN g % 20 = 0 THEN 'failed' ELSE 'succeeded' END, NULL, 1, 'some-instance'
     FROM generate_series(1, $2) AS g, LATERAL (SELECT now() - (g * $3::float8 || ' seconds')::interval AS t) AS x`,
    [sizes.tasks, sizes.history, sizes.historyEverySeconds],
  );
  await query(`VACUUM ANALYZE ${schema}.scheduler_tasks`);
  await query(`VACUUM ANALYZE ${schema}.scheduler_tasks_history`);
}
