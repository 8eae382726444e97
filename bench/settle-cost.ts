/**
 * What one batch of 1,000 outcomes costs PostgreSQL, by kind, with no other load from the bench: the
 * store's `settle` of reschedules (a recurring task's fire, W7), a lean reschedule-only UPDATE (what
 * a leaner statement could do: slug, version, run_at), and the store's delete-only settle (a one-time
 * task, W1); each after a claim of 1,000 (also timed). Batches alternate between the three, so that
 * drift in the machine's load falls on all alike; medians are printed.
 *
 *   npm run build:app && PG_URL=postgres://postgres@127.0.0.1:5432/test node build/bench/settle-cost.js
 *
 * (Without PG_URL an embedded server is started.) A profiling aid for W7 (bench/README.md).
 */
import pg from 'pg';

import { silentLogger } from '../lib/core/logger.js';
import { PostgresStore } from '../lib/stores/postgres/index.js';
import { acquireServer, createDatabase } from './pg-server.js';
import { percentile } from './stats.js';

const TASKS = 120_000;
const BATCH = 1000;
const ROUNDS = 40;

const LEAN_RESCHEDULE = `
WITH input AS MATERIALIZED (
  SELECT *, $1::text AS owner FROM unnest($2::text[], $3::bigint[], $4::timestamptz[]) AS i(slug, version, run_at)
)
UPDATE scheduler_tasks AS t
SET run_at = i.run_at, retry = 0, result = NULL, locked_by = NULL, locked_until = NULL, updated_at = now()
FROM input AS i
WHERE t.slug = i.slug AND t.version = i.version AND t.locked_by = i.owner`;

type Kind = 'claim' | 'settle (reschedules)' | 'lean reschedule' | 'settle (deletes)';

async function main(): Promise<void> {
  const server = await acquireServer(process.env.PG_URL, false);
  const db = await createDatabase(server.url, 'settlecost');
  const store = new PostgresStore({ connectionString: db.url, logger: silentLogger });
  const client = new pg.Client({ connectionString: db.url });
  try {
    await store.migrate();
    await client.connect();
    await client.query(
      `INSERT INTO scheduler_tasks (slug, kind, payload, run_at, schedule)
       SELECT 'w7-' || g, 'noop', 'null'::json, now() - interval '1 second',
              jsonb_build_object('type', 'cron', 'expression', '5 * * * * *', 'timeZone', 'UTC')
       FROM generate_series(1, $1::integer) AS g`,
      [TASKS],
    );
    await client.query('VACUUM ANALYZE scheduler_tasks');
    await client.query('CHECKPOINT');
    const next = new Date(Date.now() + 3_600_000);
    const times: Record<Kind, number[]> = {
      claim: [],
      'settle (reschedules)': [],
      'lean reschedule': [],
      'settle (deletes)': [],
    };
    const kinds: Kind[] = ['settle (reschedules)', 'lean reschedule', 'settle (deletes)'];
    for (let b = 0; b < ROUNDS * kinds.length; b++) {
      let t0 = performance.now();
      const tasks = await store.claim({ kinds: ['noop'], owner: 'exp', leaseMs: 30_000, limit: BATCH });
      times.claim.push(performance.now() - t0);
      const kind = kinds[b % kinds.length];
      t0 = performance.now();
      if (kind === 'settle (reschedules)') {
        await store.settle(
          'exp',
          tasks.map((t) => ({
            type: 'reschedule' as const,
            slug: t.slug,
            version: t.version,
            runAt: next,
            retry: 0,
            result: null,
            failed: false,
          })),
        );
      } else if (kind === 'settle (deletes)') {
        await store.settle(
          'exp',
          tasks.map((t) => ({ type: 'delete' as const, slug: t.slug, version: t.version })),
        );
      } else {
        const r = await client.query(LEAN_RESCHEDULE, [
          'exp',
          tasks.map((t) => t.slug),
          tasks.map((t) => t.version),
          tasks.map(() => next.toISOString()),
        ]);
        if (r.rowCount !== tasks.length)
          throw new Error(`lean reschedule applied ${r.rowCount}/${tasks.length}`);
      }
      times[kind].push(performance.now() - t0);
    }
    for (const [kind, list] of Object.entries(times)) {
      console.log(
        `${kind.padEnd(22)} ${list.length} batches of ${BATCH}: median ${percentile(list, 50).toFixed(1)} ms (${((percentile(list, 50) * 1000) / BATCH).toFixed(1)} µs a task)`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
    await store.close();
    await db.drop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
