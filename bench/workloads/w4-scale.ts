/**
 * W4 scale: the time to find and claim the next due task (`lock` with limit 1) with 1,000 vs
 * 1,000,000 due tasks queued, for the memory store and PostgreSQL, plus `EXPLAIN (ANALYZE, BUFFERS)`
 * of the PostgreSQL claim at the largest size, to show that it is an index scan.
 *
 * Runs in the runner's process: it measures one store call, not the engine.
 */
import pg from 'pg';

import { silentLogger } from '../../lib/core/logger.js';
import { MemoryStore } from '../../lib/stores/memory/memory-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';
import type { JobStore } from '../../lib/core/store/job-store.js';
import { createDatabase, type BenchDatabase } from '../pg-server.js';
import { insertTasks, migrate } from '../setup-sql.js';
import { distribution, fixed, int, type Distribution } from '../stats.js';
import { KIND } from './shared.js';
import type { Workload, WorkloadResult } from './workload.js';

const LEASE_MS = 3_600_000;

interface ScalePoint {
  size: number;
  /** One claim of limit 1, in ms. */
  claim1: Distribution;
  /** One claim of limit 100, in ms (fewer samples). */
  claim100: Distribution;
}

export const w4Scale: Workload = async (ctx) => {
  const sizes = ctx.options.scaleSizes;
  const largest = Math.max(...sizes);

  ctx.log(`W4: memory stores with ${sizes.map(int).join(' and ')} due tasks`);
  const memoryStores: JobStore[] = [];
  for (const size of sizes) memoryStores.push(await memoryStore(size));
  const memory = await interleaved(sizes, memoryStores, { rounds: 20, perRound: 200, batchRounds: 5 });

  const databases: BenchDatabase[] = [];
  const pools: pg.Pool[] = [];
  try {
    const stores: JobStore[] = [];
    for (const size of sizes) {
      ctx.log(`W4: PostgreSQL with ${int(size)} due tasks`);
      const db = await createDatabase(ctx.server.url, 'w4');
      databases.push(db);
      await migrate(db.url);
      await insertTasks(db.url, {
        prefix: 'w4-',
        kind: KIND,
        count: size,
        runAtSql: `now() - interval '1 hour' + g * interval '1 microsecond'`,
      });
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      pools.push(pool);
      const store = new PostgresStore({ pool, notify: false, migrate: false, logger: silentLogger });
      await store.init();
      stores.push(store);
    }
    const postgres = await interleaved(sizes, stores, { rounds: 10, perRound: 30, batchRounds: 3 });
    const plan = await explainClaim(databases[sizes.indexOf(largest)].url);
    ctx.log(`W4: EXPLAIN (ANALYZE, BUFFERS) of the claim at ${int(largest)} tasks:\n${plan}`);
    const indexScan = /Index Scan using \S*ready_idx/.test(plan);
    return [result('memory', memory, null), result('PostgreSQL', postgres, { plan, indexScan })];
  } finally {
    for (const pool of pools) await pool.end();
    for (const db of databases) await db.drop();
  }
};

function result(
  store: string,
  points: ScalePoint[],
  explain: { plan: string; indexScan: boolean } | null,
): WorkloadResult {
  const small = points[0];
  const large = points[points.length - 1];
  const ratio = large.claim1.p50 / small.claim1.p50;
  const unit = store === 'memory' ? 1000 : 1; // µs for memory, ms for PostgreSQL
  const label = store === 'memory' ? 'µs' : 'ms';
  const show = (d: Distribution): string => `${fixed(d.p50 * unit, 3)} ${label}`;
  return {
    workload: 'W4',
    variant: `${store}, claim 1 of ${points.map((p) => int(p.size)).join(' vs ')}`,
    summary:
      `p50 ${show(small.claim1)} vs ${show(large.claim1)} (x${fixed(ratio)}); batch of 100: ${show(small.claim100)} vs ${show(large.claim100)}` +
      (explain ? `; ${explain.indexScan ? 'index scan on ready_idx' : 'NO index scan on ready_idx'}` : ''),
    target: `claim at ${int(large.size)} within 1.5x of ${int(small.size)}` + (explain ? ', index scan' : ''),
    met: ratio <= 1.5 && (explain ? explain.indexScan : true),
    metrics: {
      points,
      ratioP50: ratio,
      ...(explain ? { explain: explain.plan, indexScan: explain.indexScan } : {}),
    },
    options: { leaseMs: LEASE_MS },
  };
}

/**
 * Times claims (`lock` of limit 1, and of limit 100) on every store in turns: `rounds` rounds, each
 * `perRound` claims on one store then the next, so that JIT warm-up, GC and the machine's other load
 * fall on every size alike. Each claim is given back (`release`, not timed), so that a queue keeps
 * its size while it is measured. Times in ms.
 */
async function interleaved(
  sizes: number[],
  stores: JobStore[],
  plan: { rounds: number; perRound: number; batchRounds: number },
): Promise<ScalePoint[]> {
  const one: number[][] = sizes.map(() => []);
  const hundred: number[][] = sizes.map(() => []);
  const claimOnce = async (store: JobStore, limit: number): Promise<number> => {
    const request = { kinds: [KIND], owner: 'w4', leaseMs: LEASE_MS, limit };
    const t0 = performance.now();
    const claimed = await store.claim(request);
    const elapsed = performance.now() - t0;
    if (claimed.length !== limit) throw new Error(`W4: claimed ${claimed.length} instead of ${limit}`);
    await store.release(
      request.owner,
      claimed.map((t) => ({ slug: t.slug, version: t.version })),
    );
    return elapsed;
  };
  // One untimed round first: statements prepared, code warm.
  for (let round = -1; round < plan.rounds; round++) {
    for (let i = 0; i < stores.length; i++) {
      for (let n = 0; n < plan.perRound; n++) {
        const ms = await claimOnce(stores[i], 1);
        if (round >= 0) one[i].push(ms);
      }
      if (round < plan.batchRounds) {
        const ms = await claimOnce(stores[i], 100);
        if (round >= 0) hundred[i].push(ms);
      }
    }
  }
  return sizes.map((size, i) => ({ size, claim1: distribution(one[i]), claim100: distribution(hundred[i]) }));
}

async function memoryStore(size: number): Promise<JobStore> {
  const store = new MemoryStore({ historyLimit: 0 });
  const base = Date.now() - 3_600_000;
  for (let i = 1; i <= size; i++) {
    await store.create({
      slug: `w4-${i}`,
      kind: KIND,
      payload: null,
      runAt: new Date(base + i),
      schedule: null,
    });
  }
  return store;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the store's claim statement, rolled back. */
async function explainClaim(url: string): Promise<string> {
  const claim = buildQueries(resolveNames(undefined, undefined)).claim.text;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${claim}`, [
      [KIND],
      'w4-explain',
      LEASE_MS,
      1,
    ]);
    await client.query('ROLLBACK');
    return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}
