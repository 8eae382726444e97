/**
 * W7's set-up on PostgreSQL: a fleet of per-tenant recurring tasks, written with
 * `INSERT ... SELECT generate_series` (100,000 to 1,000,000 rows in seconds), exactly as
 * `scheduleJob(slug, kind, { trigger })` writes them, which is checked on every run: a task of each
 * sort is also created through the library, and its row must equal a seeded one column for column.
 *
 * - The due tasks (1..due) fire on the same second B (the boundary), each with its own
 *   every-minute schedule `S * * * * *` where S is B's second: the same schedule as
 *   `0 * * * * *`, on the second the set-up is ready by rather than on the next whole minute, so
 *   that a run does not wait up to a minute. Next fire: B + 60 s.
 * - The other tasks (due+1..total) are daily schedules `s m h * * *` spread over 2 to 23 hours
 *   ahead of the hour of the set-up: scheduled, never due during the run.
 */
import { CronTrigger } from '../../lib/core/schedule/cron-trigger.js';
import { insertRecurringTasks, settleTable, sql, taskShape } from '../setup-sql.js';
import { producer } from './producer.js';
import { KIND } from './shared.js';

/** Slugs of the fleet: `w7-<g>`. */
export const W7_PREFIX = 'w7-';

/** The every-minute schedule of the due tasks, firing on `boundary`'s second. */
export function dueExpression(boundary: number): string {
  return `${new Date(boundary).getUTCSeconds()} * * * * *`;
}

/** The fire after `boundary` of the due tasks' schedule, by the library's own trigger. */
export function nextFire(boundary: number): number {
  const next = new CronTrigger(dueExpression(boundary)).nextFireTime(new Date(boundary));
  if (!next) throw new Error('W7: the due schedule has no next fire');
  return next.getTime();
}

/**
 * Task g's daily schedule (g > due), as SQL over `g` and the set-up's hour `h0`: hour h0 + k with
 * k in 2..23, minute and second from g. Its first fire after any time in hour h0 is that same day
 * (or the next) at that hour: the start of hour h0 (UTC) + k hours + m minutes + s seconds.
 */
const LATER = {
  k: `(2 + g % 22)`,
  minute: `((g / 60) % 60)`,
  second: `(g % 60)`,
};

function laterExpressionSql(h0: string): string {
  return `(${LATER.second})::text || ' ' || (${LATER.minute})::text || ' ' || ((${h0} + ${LATER.k}) % 24)::text || ' * * *'`;
}

const LATER_RUN_AT_SQL = `(date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + ${LATER.k} * interval '1 hour' + ${LATER.minute} * interval '1 minute' + ${LATER.second} * interval '1 second'`;

const HOUR_NOW_SQL = `extract(hour FROM now() AT TIME ZONE 'UTC')::integer`;

/** The same schedule as `laterExpressionSql`, in JavaScript, for the reference task. */
function laterExpression(g: number, hourNow: number): string {
  const k = 2 + (g % 22);
  return `${g % 60} ${Math.floor(g / 60) % 60} ${(hourNow + k) % 24} * * *`;
}

/**
 * Creates a task through the library (a producer's `scheduleJob`) and checks that the seeded task
 * `seededSlug` has the same row but for the slug and the timestamps; removes the reference task.
 */
async function assertSeededLikeLibrary(
  url: string,
  reference: { slug: string; expression: string },
  seededSlug: string,
): Promise<void> {
  const app = producer(url);
  try {
    await app.scheduler.scheduleJob(reference.slug, KIND, { trigger: reference.expression });
  } finally {
    await app.close();
  }
  const [made, seeded] = [await taskShape(url, reference.slug), await taskShape(url, seededSlug)];
  await sql(url, 'DELETE FROM scheduler_tasks WHERE slug = $1', [reference.slug]);
  if (!made || !seeded || JSON.stringify(made) !== JSON.stringify(seeded)) {
    throw new Error(
      `W7: the seeded row ${seededSlug} differs from what scheduleJob writes: ${JSON.stringify(seeded)} vs ${JSON.stringify(made)}`,
    );
  }
}

/** Inserts the tasks that are not due during the run (due+1..total), then VACUUM ANALYZE + CHECKPOINT. */
export async function seedLater(url: string, due: number, total: number): Promise<void> {
  if (total <= due) return;
  const [{ h }] = await sql<{ h: number }>(url, `SELECT ${HOUR_NOW_SQL} AS h`);
  await insertRecurringTasks(url, {
    prefix: W7_PREFIX,
    kind: KIND,
    from: due + 1,
    to: total,
    expressionSql: laterExpressionSql(HOUR_NOW_SQL),
    runAtSql: LATER_RUN_AT_SQL,
  });
  const g = due + 1;
  await assertSeededLikeLibrary(
    url,
    { slug: 'w7-ref-later', expression: laterExpression(g, h) },
    `${W7_PREFIX}${g}`,
  );
  await settleTable(url);
}

/**
 * Inserts the due tasks (1..due) firing on `boundary`, checks them against the library's row, then
 * VACUUM ANALYZE + CHECKPOINT. Must end before `boundary` (the first fire after now must still be
 * the boundary for the check to hold, and the workers must be up by then).
 */
export async function seedDue(url: string, due: number, boundary: number): Promise<void> {
  const expression = dueExpression(boundary);
  await insertRecurringTasks(url, {
    prefix: W7_PREFIX,
    kind: KIND,
    from: 1,
    to: due,
    expressionSql: `'${expression}'`,
    runAtSql: `to_timestamp(${boundary / 1000})`,
  });
  await assertSeededLikeLibrary(url, { slug: 'w7-ref-due', expression }, `${W7_PREFIX}1`);
  await settleTable(url);
}
