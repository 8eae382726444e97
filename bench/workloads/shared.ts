/** Pieces several PostgreSQL workloads share. */
import { mkdirSync } from 'node:fs';

import { Fleet } from '../fleet.js';
import { createDatabase, type BenchDatabase } from '../pg-server.js';
import type { RecordMode, WorkerConfig } from '../protocol.js';
import { migrate, resetStatements, topStatements, type StatementStats } from '../setup-sql.js';
import type { WorkloadContext } from './workload.js';

/** The kind of the bench's no-op job. */
export const KIND = 'noop';

/** The worker configuration of a workload. */
export function workerConfig(ctx: WorkloadContext, url: string, record: RecordMode): WorkerConfig {
  return {
    url,
    kind: KIND,
    poolMax: ctx.options.poolMax,
    scheduler: { ...ctx.options.scheduler },
    record,
    // Idle workers (W3) report seldom, so that the bench's own timer does not show as worker CPU.
    progressEveryMs: record === 'none' ? 60_000 : 20,
    profileDir: ctx.options.profileDir,
    heapProfile: ctx.options.heapProfile,
    traceStore: ctx.options.storeTrace,
  };
}

/**
 * Runs `work` on a fresh, migrated database, then drops it; a fleet the work registered is killed
 * if the work failed before stopping it.
 */
export async function withDatabase<T>(
  ctx: WorkloadContext,
  label: string,
  work: (db: BenchDatabase, track: (fleet: Fleet) => Fleet) => Promise<T>,
): Promise<T> {
  const db = await createDatabase(ctx.server.url, label);
  const fleets: Fleet[] = [];
  if (ctx.options.profileDir) mkdirSync(ctx.options.profileDir, { recursive: true });
  try {
    await migrate(db.url);
    return await work(db, (fleet) => {
      fleets.push(fleet);
      return fleet;
    });
  } finally {
    for (const fleet of fleets) await fleet.kill();
    await db.drop();
  }
}

/** Resets pg_stat_statements when `--statements` asks for it and the server has it. */
export async function startStatements(ctx: WorkloadContext, db: BenchDatabase): Promise<boolean> {
  if (!ctx.options.statements) return false;
  const ok = await resetStatements(db.url);
  if (!ok) ctx.log('pg_stat_statements is not available on this server (see bench/README.md)');
  return ok;
}

/** The top statements since the reset, logged; `[]` when not collected. */
export async function collectStatements(
  ctx: WorkloadContext,
  db: BenchDatabase,
  enabled: boolean,
): Promise<StatementStats[]> {
  if (!enabled) return [];
  const top = await topStatements(db.url, db.name);
  for (const s of top) {
    ctx.log(
      `  pg_stat_statements: ${s.calls} calls, ${s.totalMs.toFixed(0)} ms total, ${s.meanMs.toFixed(3)} ms mean, ${s.rows} rows: ${s.query}`,
    );
  }
  return top;
}
