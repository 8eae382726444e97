/**
 * POL policies: what priorities and cluster-wide limits cost a claim (issue 14's goal: within 1.5x
 * of a claim without them). One PostgreSQL database (and one memory store) holds three kinds of
 * 100,000 due tasks each:
 * - `plain`: every task at priority 0, claimed without limits (the claim as before issue 14);
 * - `prio`: priorities spread over five levels, claimed without limits (the skip scan over levels);
 * - `limited`: five levels and 1,000 concurrency keys, claimed with `globalConcurrency`,
 *   `keyConcurrency` and a `rateLimit` that are never reached (so every claim takes what it asks
 *   for): the per-kind advisory lock, the counting of live leases and starts, the starts log.
 * Each claim (limit 1, and limit 25) is given back at once (`release`, not timed), so the queues
 * keep their size; the kinds are measured in turns, so that warm-up and the machine's other load
 * fall on each alike.
 *
 * Runs in the runner's process: it measures one store call, not the engine.
 */
import pg from 'pg';

import type { KindLimits } from '../../lib/core/store/claim-limits.js';
import type { ClaimRequest, JobStore } from '../../lib/core/store/job-store.js';
import { silentLogger } from '../../lib/core/logger.js';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { createDatabase } from '../pg-server.js';
import { migrate, sql } from '../setup-sql.js';
import { distribution, fixed, int, type Distribution } from '../stats.js';
import type { Workload, WorkloadResult } from './workload.js';

const LEASE_MS = 3_600_000;
const TASKS = 100_000;
const BATCH = 25;
const LIMITS: KindLimits = {
  globalConcurrency: 10_000,
  keyConcurrency: 10,
  // A window no claim loop here can fill (the memory store claims in µs): the bookkeeping of
  // starts is measured, never a wait.
  rateLimit: { max: 10_000, perMs: 5 },
};
const VARIANTS = ['plain', 'prio', 'limited'] as const;
type Variant = (typeof VARIANTS)[number];

interface Point {
  claim1: Distribution;
  claimBatch: Distribution;
}

export const policies: Workload = async (ctx) => {
  ctx.log(`POL: memory store, ${int(TASKS)} due tasks per kind`);
  const memory = await measure(await memoryStore(), { rounds: 20, perRound: 200 });

  ctx.log(`POL: PostgreSQL, ${int(TASKS)} due tasks per kind`);
  const db = await createDatabase(ctx.server.url, 'pol');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await migrate(db.url);
    await sql(
      db.url,
      `INSERT INTO scheduler_tasks (slug, kind, payload, run_at, priority, concurrency_key)
       SELECT v.kind || '-' || g, v.kind, 'null'::json, now() - interval '1 hour' + g * interval '1 microsecond',
              CASE WHEN v.kind = 'plain' THEN 0 ELSE g % 5 END,
              CASE WHEN v.kind = 'limited' THEN 'tenant-' || (g % 1000) END
       FROM generate_series(1, $1::integer) AS g, (VALUES ('plain'), ('prio'), ('limited')) AS v(kind)`,
      [TASKS],
    );
    await sql(db.url, 'VACUUM ANALYZE scheduler_tasks');
    const store = new PostgresStore({ pool, notify: false, migrate: false, logger: silentLogger });
    await store.init();
    const postgres = await measure(store, { rounds: 10, perRound: 40 });
    return [result('memory', memory), result('PostgreSQL', postgres)];
  } finally {
    await pool.end();
    await db.drop();
  }
};

function result(store: string, points: Record<Variant, Point>): WorkloadResult {
  const unit = store === 'memory' ? 1000 : 1;
  const label = store === 'memory' ? 'µs' : 'ms';
  const show = (d: Distribution): string => `${fixed(d.p50 * unit, 3)} ${label}`;
  const ratio = (variant: Variant, key: keyof Point): number =>
    points[variant][key].p50 / points.plain[key].p50;
  const worst = Math.max(
    ratio('prio', 'claim1'),
    ratio('limited', 'claim1'),
    ratio('prio', 'claimBatch'),
    ratio('limited', 'claimBatch'),
  );
  const line = (key: keyof Point, name: string): string =>
    `${name}: ${show(points.plain[key])} plain, ${show(points.prio[key])} priorities (x${fixed(ratio('prio', key))}), ` +
    `${show(points.limited[key])} priorities+limits (x${fixed(ratio('limited', key))})`;
  return {
    workload: 'POL',
    variant: `${store}, claim with priorities and limits vs without, ${int(TASKS)} due per kind`,
    summary: `${line('claim1', 'claim 1')}; ${line('claimBatch', `claim ${BATCH}`)}`,
    target: 'within 1.5x of without',
    met: worst <= 1.5,
    metrics: { points, worstRatio: worst },
    options: { leaseMs: LEASE_MS, limits: LIMITS, tasks: TASKS, batch: BATCH },
  };
}

/** Claims of limit 1 and of limit {@link BATCH} on each kind in turns, each given back untimed. Times in ms. */
async function measure(
  store: JobStore,
  plan: { rounds: number; perRound: number },
): Promise<Record<Variant, Point>> {
  const one: Record<Variant, number[]> = { plain: [], prio: [], limited: [] };
  const batch: Record<Variant, number[]> = { plain: [], prio: [], limited: [] };
  const claimOnce = async (variant: Variant, limit: number): Promise<number> => {
    const request: ClaimRequest = {
      kinds: [variant],
      owner: 'pol',
      leaseMs: LEASE_MS,
      limit,
      ...(variant === 'limited' && { limits: { limited: LIMITS } }),
    };
    const t0 = performance.now();
    const claimed = await store.claim(request);
    const elapsed = performance.now() - t0;
    if (claimed.length !== limit)
      throw new Error(`POL: claimed ${claimed.length} ${variant} instead of ${limit}`);
    await store.release(
      request.owner,
      claimed.map((t) => ({ slug: t.slug, version: t.version })),
    );
    return elapsed;
  };
  for (let round = -1; round < plan.rounds; round++) {
    for (const variant of VARIANTS) {
      for (let n = 0; n < plan.perRound; n++) {
        const ms = await claimOnce(variant, 1);
        if (round >= 0) one[variant].push(ms);
      }
      for (let n = 0; n < plan.perRound / 10; n++) {
        const ms = await claimOnce(variant, BATCH);
        if (round >= 0) batch[variant].push(ms);
      }
    }
  }
  const point = (v: Variant): Point => ({ claim1: distribution(one[v]), claimBatch: distribution(batch[v]) });
  return { plain: point('plain'), prio: point('prio'), limited: point('limited') };
}

async function memoryStore(): Promise<JobStore> {
  const store = new MemoryStore({ historyLimit: 0 });
  const base = Date.now() - 3_600_000;
  for (const kind of VARIANTS) {
    await store.createMany(
      Array.from({ length: TASKS }, (_, i) => ({
        slug: `${kind}-${i}`,
        kind,
        payload: null,
        runAt: new Date(base + i),
        schedule: null,
        priority: kind === 'plain' ? 0 : i % 5,
        concurrencyKey: kind === 'limited' ? `tenant-${i % 1000}` : null,
      })),
    );
  }
  return store;
}
