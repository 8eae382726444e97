import type { PostgresTestDatabase } from '../../support/postgres.js';

/** One row of `e2e_runs`: what a worker's job recorded about one execution. */
export interface RecordedRun {
  slug: string;
  kind: string;
  /** `ctx.scheduledAt` of the run, epoch ms: which fire it was. */
  scheduledMs: number;
  instanceId: string;
  /** `started` (a `hang` job began) or `done` (the job finished its work). */
  phase: 'started' | 'done';
  /** The database's clock when the row was written. */
  at: Date;
}

/** Creates the table the workers record their executions in (test/e2e/fixtures/worker.mjs). */
export async function createRunsTable(db: PostgresTestDatabase): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS e2e_runs (
      id           bigserial PRIMARY KEY,
      slug         text NOT NULL,
      kind         text NOT NULL,
      scheduled_ms bigint NOT NULL,
      instance_id  text NOT NULL,
      phase        text NOT NULL,
      at           timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
}

/** Every recorded run, in the order they were written. */
export async function readRuns(db: PostgresTestDatabase): Promise<RecordedRun[]> {
  const rows = await db.query<{
    slug: string;
    kind: string;
    scheduled_ms: string;
    instance_id: string;
    phase: 'started' | 'done';
    at: Date;
  }>('SELECT slug, kind, scheduled_ms, instance_id, phase, at FROM e2e_runs ORDER BY id');
  return rows.map((row) => ({
    slug: row.slug,
    kind: row.kind,
    scheduledMs: Number(row.scheduled_ms),
    instanceId: row.instance_id,
    phase: row.phase,
    at: row.at,
  }));
}

/** How many runs each slug had, for the `done` phase. */
export function doneCountBySlug(runs: readonly RecordedRun[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of runs) if (run.phase === 'done') counts.set(run.slug, (counts.get(run.slug) ?? 0) + 1);
  return counts;
}

/** How many items fall under each key. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Polls `check` on real timers until it holds. The timeout only bounds a hang; nothing is measured
 * against it.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Writes a measured fact to stderr when E2E_REPORT is set (the tests assert no timings). */
export function reportFact(message: string): void {
  if (process.env.E2E_REPORT) process.stderr.write(`[e2e] ${message}\n`);
}
