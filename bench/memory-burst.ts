/**
 * W5's measurement, run in a process of its own (forked by workloads/w5-memory.ts), so that it
 * starts on a fresh heap rather than on the garbage of the workloads before it.
 *
 * Creates `jobs` one-time no-op tasks due now in a `MemoryStore` (not measured), then starts a
 * `StdScheduler` and measures from `start()` until the last job has started; sends the figures to
 * the parent and exits.
 */
import { silentLogger } from '../lib/core/logger.js';
import { StdScheduler } from '../lib/core/scheduler.js';
import { MemoryStore } from '../lib/stores/memory/memory-store.js';
import { wallClock } from './protocol.js';

/** What the parent passes (as JSON in argv[2]). */
export interface MemoryBurstOptions {
  jobs: number;
  maxConcurrency: number;
  batchSize: number;
  kind: string;
}

/** What the child sends back. */
export interface MemoryBurstResult {
  executed: number;
  duplicates: number;
  leftInStore: number;
  seconds: number;
  cpuMs: number;
}

async function main(options: MemoryBurstOptions): Promise<MemoryBurstResult> {
  const { jobs, maxConcurrency, batchSize, kind } = options;
  const store = new MemoryStore({ historyLimit: 0 });
  const runAt = new Date(Date.now() - 60_000);
  for (let i = 0; i < jobs; i++) {
    await store.create({ slug: `w5-${i}`, kind, payload: null, runAt, schedule: null });
  }
  const scheduler = new StdScheduler(store, { maxConcurrency, batchSize, logger: silentLogger });
  const seen = new Uint8Array(jobs);
  let executed = 0;
  let duplicates = 0;
  let lastAt = 0;
  let allRan!: () => void;
  const done = new Promise<void>((resolve) => (allRan = resolve));
  scheduler.registerJob({
    kind,
    execute: async (task) => {
      const index = Number(task.slug.slice(3));
      if (seen[index]++ > 0) duplicates++;
      lastAt = wallClock();
      if (++executed === jobs) allRan();
    },
  });
  const timeout = setTimeout(() => allRan(), 120_000);
  const cpu0 = process.cpuUsage();
  const startedAt = wallClock();
  await scheduler.start();
  await done;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(timeout);
  await scheduler.stop();
  return {
    executed,
    duplicates,
    leftInStore: store.size,
    seconds: (lastAt - startedAt) / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

main(JSON.parse(process.argv[2] ?? '{}') as MemoryBurstOptions).then(
  (result) => process.send?.(result, undefined, {}, () => process.disconnect?.()),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
    process.disconnect?.();
  },
);
