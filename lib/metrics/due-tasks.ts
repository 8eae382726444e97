import type { Scheduler } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';

/** Largest page `listJobs` hands out. */
const PAGE = 1000;

/**
 * Counts, by kind, the tasks that are due at `now` and waiting (state `scheduled`: not running,
 * paused or failed), reading at most `limit` tasks. The store contract has no count query, so this
 * pages through `listJobs`; past `limit` tasks the counts are a lower bound.
 */
export async function countDueByKind(
  scheduler: Pick<Scheduler, 'listJobs'>,
  now: Date,
  limit: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let scanned = 0;
  let cursor: string | null = null;
  do {
    const page = await scheduler.listJobs({
      state: 'scheduled',
      limit: Math.min(PAGE, limit - scanned),
      cursor,
    });
    for (const task of page.tasks) {
      if (task.runAt <= now) counts.set(task.kind, (counts.get(task.kind) ?? 0) + 1);
    }
    scanned += page.tasks.length;
    cursor = page.nextCursor;
  } while (cursor !== null && scanned < limit);
  return counts;
}

/**
 * How long, in seconds, the most overdue claimable task of `kinds` has been waiting (0 when none is
 * due). One indexed store call (`nextRun`), whatever the number of tasks.
 */
export async function oldestDueAgeSeconds(
  store: Pick<JobStore, 'nextRun'>,
  kinds: readonly string[],
  now: Date,
): Promise<number> {
  if (kinds.length === 0) return 0;
  const next = await store.nextRun(kinds);
  if (next === null || next > now) return 0;
  return (now.getTime() - next.getTime()) / 1000;
}
