/**
 * `--store-trace`: what the traced store calls of a run say (bench/worker.ts records them): per
 * worker, how many claims and settles, how many tasks each carried, how long they took, and how much
 * of the measured window each worker spent waiting for one or the other.
 */
import { TRACE_CLAIM, TRACE_SETTLE, type WorkerReport } from './protocol.js';

/** One kind of store call of one worker. */
export interface CallStats {
  calls: number;
  tasks: number;
  totalMs: number;
  meanMs: number;
  /** Mean ms per task carried. */
  msPerTask: number;
}

export interface WorkerTrace {
  pid: number;
  claim: CallStats;
  settle: CallStats;
  /** Within [from, to]: ms during which a claim or a settle (or both) was under way. */
  storeBusyMs: number;
  windowMs: number;
}

function stats(entries: Array<{ start: number; end: number; tasks: number }>): CallStats {
  const totalMs = entries.reduce((a, e) => a + (e.end - e.start), 0);
  const tasks = entries.reduce((a, e) => a + e.tasks, 0);
  return {
    calls: entries.length,
    tasks,
    totalMs,
    meanMs: entries.length ? totalMs / entries.length : 0,
    msPerTask: tasks ? totalMs / tasks : 0,
  };
}

/** Summarises each worker's trace over the window [from, to] (calls that ended in it). */
export function summariseTrace(reports: WorkerReport[], from: number, to: number): WorkerTrace[] {
  return reports.map((r) => {
    const calls: Array<{ op: number; start: number; end: number; tasks: number }> = [];
    for (let i = 0; i + 3 < r.trace.length; i += 4) {
      const call = { op: r.trace[i], start: r.trace[i + 1], end: r.trace[i + 2], tasks: r.trace[i + 3] };
      if (call.end >= from && call.start <= to && call.tasks > 0) calls.push(call);
    }
    // The union of the calls' intervals, clipped to the window.
    const spans = calls
      .map((c) => [Math.max(c.start, from), Math.min(c.end, to)] as const)
      .sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let until = -Infinity;
    for (const [s, e] of spans) {
      if (e <= until) continue;
      busy += e - Math.max(s, until);
      until = e;
    }
    return {
      pid: r.pid,
      claim: stats(calls.filter((c) => c.op === TRACE_CLAIM)),
      settle: stats(calls.filter((c) => c.op === TRACE_SETTLE)),
      storeBusyMs: busy,
      windowMs: to - from,
    };
  });
}

/** `claims 52 × 1000 tasks, 61.2 ms each; settles 50 × 1000, 45.0 ms each; store busy 95 % of 2.4 s` */
export function describeTrace(t: WorkerTrace): string {
  const c = t.claim;
  const s = t.settle;
  return (
    `worker ${t.pid}: claims ${c.calls} (${c.tasks} tasks, ${c.meanMs.toFixed(1)} ms each, ${(c.msPerTask * 1000).toFixed(1)} µs/task); ` +
    `settles ${s.calls} (${s.tasks} tasks, ${s.meanMs.toFixed(1)} ms each, ${(s.msPerTask * 1000).toFixed(1)} µs/task); ` +
    `a claim or settle under way ${((100 * t.storeBusyMs) / Math.max(1, t.windowMs)).toFixed(0)} % of ${(t.windowMs / 1000).toFixed(2)} s`
  );
}
