/**
 * W7's reading of what ran, the same for every system: each task 1..due must have run exactly once
 * for the fire at the boundary, and nothing else may have run; lateness = start − boundary.
 */
import type { WorkerReport } from '../protocol.js';
import { distribution, type Distribution } from '../stats.js';

/** The runs of a W7 fleet, as the workers recorded them ('fires' mode). */
export type FireRuns = Pick<WorkerReport, 'ids' | 'fireAt' | 'startAt'>;

/** What W7 reports about the fires of one boundary. */
export interface FireCheck {
  /** Runs recorded for (task, boundary). */
  fires: number;
  /** Tasks 1..due with no run for the boundary. */
  missing: number;
  /** Runs of a (task, boundary) beyond its first. */
  duplicates: number;
  /** Runs of another task, or for another fire. */
  unexpected: number;
  exactlyOnce: boolean;
  /** Start − boundary, ms. */
  latenessMs: Distribution;
  /** Boundary to the last start, ms (the spread of the wave). */
  spreadMs: number;
  /** Boundary to the first start, ms. */
  firstMs: number;
  /** Runs per worker. */
  perWorker: number[];
}

/**
 * Checks the runs of tasks 1..due for the fire at `boundary`. `fireTolerance` (ms) accepts fire
 * times that a system rounds (0 for ours, which reports the exact scheduled time).
 */
export function checkFires(runs: FireRuns[], due: number, boundary: number, fireTolerance = 0): FireCheck {
  const seen = new Uint8Array(due + 1);
  const lateness: number[] = [];
  let duplicates = 0;
  let unexpected = 0;
  let fires = 0;
  let first = Number.POSITIVE_INFINITY;
  for (const r of runs) {
    for (let i = 0; i < r.ids.length; i++) {
      const id = r.ids[i];
      if (!(id >= 1 && id <= due) || Math.abs(r.fireAt[i] - boundary) > fireTolerance) {
        unexpected++;
        continue;
      }
      fires++;
      if (seen[id]++ > 0) duplicates++;
      const late = r.startAt[i] - boundary;
      lateness.push(late);
      if (late < first) first = late;
    }
  }
  let missing = 0;
  for (let id = 1; id <= due; id++) if (seen[id] === 0) missing++;
  const d = distribution(lateness);
  return {
    fires,
    missing,
    duplicates,
    unexpected,
    exactlyOnce: missing === 0 && duplicates === 0 && unexpected === 0,
    latenessMs: d,
    spreadMs: d.max,
    firstMs: lateness.length === 0 ? Number.NaN : first,
    perWorker: runs.map((r) => r.ids.length),
  };
}

/** The goal for W7: every fire started within 3 s of the boundary, p99 lateness under 2.5 s. */
export const W7_GOAL = { spreadMs: 3000, p99Ms: 2500 };

export function meetsGoal(check: FireCheck): boolean {
  return check.exactlyOnce && check.spreadMs <= W7_GOAL.spreadMs && check.latenessMs.p99 < W7_GOAL.p99Ms;
}

/** `spread 1.23 s, lateness p50 0.61 s p99 1.20 s; exactly once` */
export function describeFires(check: FireCheck): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return (
    `${check.fires} fires, spread ${s(check.spreadMs)} (first ${s(check.firstMs)}), lateness p50 ${s(check.latenessMs.p50)} p99 ${s(check.latenessMs.p99)}; ` +
    (check.exactlyOnce
      ? 'exactly once'
      : `NOT exactly once (missing ${check.missing}, dup ${check.duplicates}, unexpected ${check.unexpected})`)
  );
}
