/**
 * Claim contention of the FirestoreStore: how fast 1 and 3 instances drain a backlog of due tasks,
 * against the strict test emulator, which this script starts itself (no manual step).
 *
 *   npm run build:app && node build/bench/firestore-claims.js
 *   node build/bench/firestore-claims.js --tasks 1000 --batch 10 --instances 1,3 --mode both --json
 *
 * Options: `--tasks N` due tasks per run (default 1000); `--batch N` tasks per claim (default 10,
 * the engine's default `batchSize`); `--instances 1,3`; `--mode claim|scheduler|both` (default both);
 * `--json` prints one JSON line per result instead of a table. With `FIRESTORE_EMULATOR_HOST` set,
 * that emulator is used and none is started.
 *
 * Two modes, each with 1 and 3 instances, every instance with its own Firestore client (own gRPC
 * connection) on one collection:
 * - `claim`: raw `store.claim` loops. Each instance claims `batch` tasks, then settles them (deletes,
 *   as a finished one-time task is), until every task is settled. Isolates the store's transaction
 *   pattern from the engine.
 * - `scheduler`: `StdScheduler`s with a no-op job (`maxConcurrency` = `batch`): the same backlog
 *   through the whole engine (claim, run, group-committed settle, idle polling).
 * Measured: wall time from the start until the last task is settled; claims/s = tasks / that time.
 * ABORTED = transactions the emulator refused for contention (lost races, retried by the store),
 * counted by wrapping each client's `runTransaction`; "empty claims" = claims that returned nothing
 * although tasks were left (every attempt lost its race, or all remaining tasks were held by others).
 *
 * The emulator is @firestore-emulator/server made strict (test/support/strict-emulator), a Node
 * process on the same machine: the figures show the cost of the store's transaction pattern under
 * contention (queries re-run at commit, optimistic aborts), not the latency or throughput of
 * Google's servers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { Firestore } from '@google-cloud/firestore';

import type { JobStore, NewTask, SettleResult, TaskOutcome } from '../lib/core/store/job-store.js';
import { FirestoreStore } from '../lib/stores/firestore/index.js';
import { StdScheduler } from '../lib/core/scheduler.js';
import { silentLogger } from '../lib/core/logger.js';

/** The bench's settings. */
export interface FirestoreClaimsOptions {
  tasks: number;
  batch: number;
  instances: number[];
  modes: Array<'claim' | 'scheduler'>;
}

/** One measured run. */
export interface FirestoreClaimsResult {
  mode: 'claim' | 'scheduler';
  instances: number;
  tasks: number;
  batch: number;
  wallMs: number;
  claimsPerSecond: number;
  /** Read-write transactions started (claims, settles, renewals). */
  transactions: number;
  /** Of those, refused with ABORTED (a lost race). */
  aborted: number;
  /** `claim` calls, and those that returned nothing while tasks were left. */
  lockCalls: number;
  emptyClaims: number;
  /** How many tasks each instance settled. */
  perInstance: number[];
}

const KIND = 'bench-claim';
const PROJECT_ID = 'demo-nestjs-durable-scheduler-bench';
const ABORTED = 10;

interface Counters {
  transactions: number;
  aborted: number;
  lockCalls: number;
  emptyClaims: number;
}

/** The repository root: the nearest folder up with this package's package.json (source or build/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'nestjs-durable-scheduler') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('firestore-claims: cannot find the repository root');
    dir = parent;
  }
}

interface RunningEmulator {
  host: string;
  stop(): Promise<void>;
}

/** Starts the strict emulator (test/support/strict-emulator/launch.mjs), unless one is configured. */
async function emulator(): Promise<RunningEmulator> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const configured = process.env.FIRESTORE_EMULATOR_HOST;
  if (configured) return { host: configured, stop: async () => undefined };
  const launcher = pathToFileURL(join(repoRoot(), 'test/support/strict-emulator/launch.mjs')).href;
  const { startFirestoreEmulator } = (await import(launcher)) as {
    startFirestoreEmulator(): Promise<RunningEmulator>;
  };
  const started = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = started.host;
  return {
    host: started.host,
    stop: async () => {
      await started.stop();
      delete process.env.FIRESTORE_EMULATOR_HOST;
    },
  };
}

/** A client whose read-write transactions are counted, and how many were refused as lost races. */
function countedClient(counters: Counters): Firestore {
  const firestore = new Firestore({ projectId: PROJECT_ID });
  const original = firestore.runTransaction.bind(firestore);
  const counted: Firestore['runTransaction'] = async (update, options) => {
    counters.transactions++;
    try {
      return await original(update, options);
    } catch (err) {
      if ((err as { code?: unknown }).code === ABORTED) counters.aborted++;
      throw err;
    }
  };
  firestore.runTransaction = counted;
  return firestore;
}

/** A store that counts the tasks it settled (applied deletes) into `settled`. */
class CountingStore extends FirestoreStore {
  constructor(
    firestore: Firestore,
    collection: string,
    private readonly onSettled: (count: number) => void,
  ) {
    super({ firestore, collection });
  }

  override async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    const result = await super.settle(owner, outcomes);
    this.onSettled(result.applied.length);
    return result;
  }
}

async function seed(store: JobStore, tasks: number): Promise<void> {
  const runAt = new Date(Date.now() - 60_000);
  const all: NewTask[] = Array.from({ length: tasks }, (_, i) => ({
    slug: `task-${String(i).padStart(6, '0')}`,
    kind: KIND,
    payload: { i },
    runAt,
    schedule: null,
  }));
  for (let i = 0; i < all.length; i += 50) {
    await Promise.all(all.slice(i, i + 50).map((task) => store.create(task)));
  }
}

async function runOnce(
  mode: 'claim' | 'scheduler',
  instances: number,
  tasks: number,
  batch: number,
): Promise<FirestoreClaimsResult> {
  const collection = `bench-claims-${mode}-${instances}-${Date.now().toString(36)}`;
  const counters: Counters = { transactions: 0, aborted: 0, lockCalls: 0, emptyClaims: 0 };
  const clients: Firestore[] = [];
  const perInstance = Array.from({ length: instances }, () => 0);
  let settled = 0;
  const stores = Array.from({ length: instances }, (_, i) => {
    const firestore = countedClient(counters);
    clients.push(firestore);
    return new CountingStore(firestore, collection, (count) => {
      settled += count;
      perInstance[i] += count;
    });
  });

  const seeder = new Firestore({ projectId: PROJECT_ID });
  clients.push(seeder);
  await seed(new FirestoreStore({ firestore: seeder, collection }), tasks);
  counters.transactions = 0;
  counters.aborted = 0;

  const started = performance.now();
  if (mode === 'claim') {
    await Promise.all(
      stores.map(async (store, i) => {
        const owner = `instance-${i}`;
        while (settled < tasks) {
          counters.lockCalls++;
          const claimed = await store.claim({ kinds: [KIND], owner, leaseMs: 60_000, limit: batch });
          if (claimed.length === 0) {
            if (settled < tasks) counters.emptyClaims++;
            // What the engine does after an empty claim while work is due: a short pause.
            await sleep(2);
            continue;
          }
          await store.settle(
            owner,
            claimed.map((task) => ({ type: 'delete', slug: task.slug, version: task.version })),
          );
        }
      }),
    );
  } else {
    const schedulers = stores.map((store, i) => {
      const scheduler = new StdScheduler(
        new Proxy(store, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver) as unknown;
            if (property !== 'claim' || typeof value !== 'function') return value;
            return async (...args: Parameters<JobStore['claim']>) => {
              counters.lockCalls++;
              const claimed = await target.claim(...args);
              if (claimed.length === 0 && settled < tasks) counters.emptyClaims++;
              return claimed;
            };
          },
        }),
        { instanceId: `instance-${i}`, logger: silentLogger, maxConcurrency: batch, heartbeat: 1000 },
      );
      scheduler.registerJob({ kind: KIND, execute: async () => undefined });
      return scheduler;
    });
    await Promise.all(schedulers.map((scheduler) => scheduler.start()));
    while (settled < tasks) await sleep(5);
    const wallMs = performance.now() - started;
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await Promise.all(clients.map((client) => client.terminate()));
    return result(mode, instances, tasks, batch, wallMs, counters, perInstance);
  }
  const wallMs = performance.now() - started;
  await Promise.all(clients.map((client) => client.terminate()));
  return result(mode, instances, tasks, batch, wallMs, counters, perInstance);
}

function result(
  mode: 'claim' | 'scheduler',
  instances: number,
  tasks: number,
  batch: number,
  wallMs: number,
  counters: Counters,
  perInstance: number[],
): FirestoreClaimsResult {
  return {
    mode,
    instances,
    tasks,
    batch,
    wallMs: Math.round(wallMs),
    claimsPerSecond: Math.round((tasks / wallMs) * 1000),
    transactions: counters.transactions,
    aborted: counters.aborted,
    lockCalls: counters.lockCalls,
    emptyClaims: counters.emptyClaims,
    perInstance,
  };
}

/**
 * Runs every configuration on one emulator (started here unless `FIRESTORE_EMULATOR_HOST` is set),
 * after a small warm-up run, and returns the results.
 */
export async function benchFirestoreClaims(
  options: FirestoreClaimsOptions,
): Promise<FirestoreClaimsResult[]> {
  const running = await emulator();
  try {
    await runOnce('claim', 1, Math.min(100, options.tasks), options.batch);
    const results: FirestoreClaimsResult[] = [];
    for (const mode of options.modes) {
      for (const instances of options.instances) {
        results.push(await runOnce(mode, instances, options.tasks, options.batch));
      }
    }
    return results;
  } finally {
    await running.stop();
  }
}

function parseArgs(argv: string[]): FirestoreClaimsOptions & { json: boolean } {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const whole = (name: string, fallback: number): number => {
    const raw = value(name);
    const parsed = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive whole number`);
    return parsed;
  };
  const mode = value('mode') ?? 'both';
  if (!['claim', 'scheduler', 'both'].includes(mode))
    throw new Error('--mode must be claim, scheduler or both');
  const instances = (value('instances') ?? '1,3').split(',').map(Number);
  if (instances.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--instances takes e.g. 1,3');
  return {
    tasks: whole('tasks', 1000),
    batch: whole('batch', 10),
    instances,
    modes: mode === 'both' ? ['claim', 'scheduler'] : [mode as 'claim' | 'scheduler'],
    json: argv.includes('--json'),
  };
}

function printTable(results: FirestoreClaimsResult[]): void {
  const header = [
    'mode',
    'instances',
    'tasks',
    'batch',
    'wall ms',
    'claims/s',
    'tx',
    'ABORTED',
    'claim calls',
    'empty',
    'per instance',
  ];
  const rows = results.map((r) => [
    r.mode,
    String(r.instances),
    String(r.tasks),
    String(r.batch),
    String(r.wallMs),
    String(r.claimsPerSecond),
    String(r.transactions),
    String(r.aborted),
    String(r.lockCalls),
    String(r.emptyClaims),
    r.perInstance.join('/'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const { json, ...options } = parseArgs(process.argv.slice(2));
  const results = await benchFirestoreClaims(options);
  if (json) for (const r of results) console.log(JSON.stringify({ bench: 'firestore-claims', ...r }));
  else printTable(results);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
