import type { JobState } from '../job.js';
import type { HistoryRecord, KindCounts, KindRunStats } from './job-store.js';

/**
 * Tallies tasks by kind and state (see `jobState`), in kind order: `countByKind` for a store that
 * reads its tasks rather than counts in an index (memory).
 */
export function tallyStates(tasks: Iterable<{ kind: string; state: JobState }>): KindCounts[] {
  const byKind = new Map<string, KindCounts>();
  for (const task of tasks) {
    let counts = byKind.get(task.kind);
    if (!counts) {
      counts = { kind: task.kind, scheduled: 0, running: 0, failed: 0, paused: 0 };
      byKind.set(task.kind, counts);
    }
    counts[task.state] += 1;
  }
  return sortedByKind([...byKind.values()]);
}

/** Tallies execution records by kind and outcome, in kind order (`countHistory` of memory and Firestore). */
export function tallyRuns(records: Iterable<Pick<HistoryRecord, 'kind' | 'outcome'>>): KindRunStats[] {
  const byKind = new Map<string, KindRunStats>();
  for (const record of records) {
    let stats = byKind.get(record.kind);
    if (!stats) {
      stats = { kind: record.kind, succeeded: 0, failed: 0, leaseLost: 0 };
      byKind.set(record.kind, stats);
    }
    if (record.outcome === 'succeeded') stats.succeeded += 1;
    else if (record.outcome === 'failed') stats.failed += 1;
    else stats.leaseLost += 1;
  }
  return sortedByKind([...byKind.values()]);
}

/** Kind order (JavaScript string order: code point order for every kind outside the surrogate range). */
export function sortedByKind<T extends { kind: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}
