/**
 * W7 on the memory store, for reference: a process of its own (forked by workloads/w7-fleet.ts).
 * Creates `due` recurring tasks (not measured), all firing on the same second
 * (the same schedule as on PostgreSQL: workloads/w7-seed.ts), starts a `StdScheduler` before that
 * second, and records each start until every task has run; then checks every task's next run.
 */
import type { StoreTask } from '../lib/core/job.js';
import { silentLogger } from '../lib/core/logger.js';
import type { ScheduleSpec } from '../lib/core/schedule/trigger.js';
import { StdScheduler } from '../lib/core/scheduler.js';
import { MemoryStore } from '../lib/stores/memory/memory-store.js';
import { wallClock } from './protocol.js';
import { W7_PREFIX, dueExpression, nextFire } from './workloads/w7-seed.js';

/** What the parent passes (as JSON in argv[2]). */
export interface MemoryCronOptions {
  due: number;
  maxConcurrency: number;
  kind: string;
  /** How long before the boundary the set-up starts, ms. */
  leadMs: number;
}

/** What the child sends back. */
export interface MemoryCronResult {
  boundary: number;
  ids: Int32Array;
  fireAt: Float64Array;
  startAt: Float64Array;
  /** Tasks whose next run is the fire after the boundary, version 2, no lease, retry 0. */
  rescheduled: number;
  leftInStore: number;
  /** `true` when the set-up was not done by the boundary (the run is void). */
  lateSetUp: boolean;
  cpuMs: number;
}

/** A task but for its slug, times and incarnation (new for each task), as JSON. */
function shape(task: StoreTask | null): string {
  if (!task) return 'null';
  const { slug: _slug, createdAt: _c, updatedAt: _u, incarnation: _i, ...rest } = task;
  return JSON.stringify(rest);
}

async function main(options: MemoryCronOptions): Promise<MemoryCronResult> {
  const { due, maxConcurrency, kind } = options;
  const store = new MemoryStore({ historyLimit: 0 });
  const scheduler = new StdScheduler(store, { maxConcurrency, logger: silentLogger });
  const ids = new Int32Array(due * 2);
  const fireAt = new Float64Array(due * 2);
  const startAt = new Float64Array(due * 2);
  let executed = 0;
  let allRan!: () => void;
  const done = new Promise<void>((resolve) => (allRan = resolve));
  scheduler.registerJob({
    kind,
    execute: async (task, ctx) => {
      if (executed < ids.length) {
        ids[executed] = Number(task.slug.slice(W7_PREFIX.length));
        fireAt[executed] = ctx.scheduledAt.getTime();
        startAt[executed] = wallClock();
      }
      if (++executed === due) allRan();
    },
  });
  const boundary = Math.ceil((Date.now() + options.leadMs) / 1000) * 1000;
  const trigger = dueExpression(boundary);
  // The tasks are written with the store's create, as scheduleJob writes them (scheduleJob of a cron
  // trigger parses it each time: ~0.3 ms, too slow for the set-up); one made by scheduleJob proves it.
  const reference = await scheduler.scheduleJob('w7-ref', kind, { trigger });
  const schedule: ScheduleSpec = { type: 'cron', expression: trigger, timeZone: 'UTC' };
  const runAt = new Date(boundary);
  for (let g = 1; g <= due; g++) {
    await store.create({ slug: `${W7_PREFIX}${g}`, kind, payload: null, runAt, schedule, paused: false });
  }
  const made = await store.get('w7-ref');
  const seeded = await store.get(`${W7_PREFIX}1`);
  if (reference.nextRunTime.getTime() !== boundary || shape(made) !== shape(seeded)) {
    throw new Error(`W7 memory: seeded task differs from scheduleJob's: ${shape(seeded)} vs ${shape(made)}`);
  }
  await store.delete('w7-ref');
  const lateSetUp = Date.now() > boundary - 200;
  const timeout = setTimeout(() => allRan(), Math.max(0, boundary + 55_000 - Date.now()));
  const cpu0 = process.cpuUsage();
  await scheduler.start();
  await done;
  const cpu = process.cpuUsage(cpu0);
  clearTimeout(timeout);
  await scheduler.stop();
  const next = nextFire(boundary);
  let rescheduled = 0;
  for (let g = 1; g <= due; g++) {
    const task = await store.get(`${W7_PREFIX}${g}`);
    if (task && task.runAt.getTime() === next && task.retry === 0 && task.lockedBy === null && !task.failed)
      rescheduled++;
  }
  const count = Math.min(executed, ids.length);
  return {
    boundary,
    ids: ids.slice(0, count),
    fireAt: fireAt.slice(0, count),
    startAt: startAt.slice(0, count),
    rescheduled,
    leftInStore: store.size,
    lateSetUp,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

main(JSON.parse(process.argv[2] ?? '{}') as MemoryCronOptions).then(
  (result) => process.send?.(result, undefined, {}, () => process.disconnect?.()),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
    process.disconnect?.();
  },
);
