/**
 * `npm run bench -- --compare`: this library and its peers in one run, on the same PostgreSQL (and
 * Redis for BullMQ), the same worker processes and the same checks: ENQ then W1 (N jobs, K = 2), W2,
 * W7 (100,000 due). One table of absolute figures, with the ratio ours / best peer.
 */
import { INSTALL_COMMAND, missingPackages } from './peers/load.js';
import { loadAdapter } from './peers/adapters.js';
import { peerEnqueueThenBurst, peerFleet, peerLateness } from './peers/peer-workloads.js';
import { redisProblem } from './peers/redis-target.js';
import type { RunnerOptions } from './cli-options.js';
import { fixed, int } from './stats.js';
import { enqueueThenBurst } from './workloads/enqueue.js';
import { w2Lateness } from './workloads/w2-lateness.js';
import { onPostgres } from './workloads/w7-fleet.js';
import { failedResult, type WorkloadContext, type WorkloadResult } from './workloads/workload.js';

/** This library's name in the table. */
export const OURS = 'this library';

/** W7's size in the comparison. */
const W7_TASKS = 100_000;

/** The peers cannot run: the message says the one command that installs them. */
export class PeersMissingError extends Error {}

/** @throws PeersMissingError, saying the one command that installs them, when a peer is missing. */
export function assertPeersInstalled(): void {
  const missing = missingPackages();
  if (missing.length > 0) {
    throw new PeersMissingError(
      `the peers are not installed (${missing.join(', ')} missing): run \`${INSTALL_COMMAND}\` first`,
    );
  }
}

/** Runs every system's workloads; `emit` receives each result as it comes (saving, logging). */
export async function runComparison(
  ctx: WorkloadContext & { options: RunnerOptions },
  emit: (result: WorkloadResult) => void,
): Promise<WorkloadResult[]> {
  assertPeersInstalled();
  const results: WorkloadResult[] = [];
  const record = (list: WorkloadResult[]): void => {
    for (const r of list) {
      results.push(r);
      emit(r);
    }
  };
  const attempt = async (
    system: string,
    workload: string,
    run: () => Promise<WorkloadResult[]>,
  ): Promise<void> => {
    try {
      record(await run());
    } catch (error) {
      record([failedResult(error, ctx.log, { workload, system, label: `${system} ${workload}` })]);
    }
  };

  if (!ctx.options.skipOurs) {
    ctx.log(`compare: ${OURS}`);
    await attempt(OURS, 'ENQ', () => enqueueThenBurst(ctx));
    await attempt(OURS, 'W2', () => w2Lateness(ctx));
    await attempt(OURS, 'W7', async () => [await onPostgres(ctx, { due: W7_TASKS, total: W7_TASKS })]);
  }

  for (const name of ctx.options.peers) {
    if (name === 'bullmq') {
      const problem = await redisProblem(ctx.options.redisUrl);
      if (problem) {
        ctx.log(`compare: BullMQ skipped: Redis at ${ctx.options.redisUrl} does not answer (${problem})`);
        record([
          {
            workload: '-',
            system: name,
            variant: 'skipped',
            summary: `Redis at ${ctx.options.redisUrl} does not answer (${problem})`,
            target: '',
            met: null,
            metrics: {},
            options: {},
          },
        ]);
        continue;
      }
    }
    const adapter = await loadAdapter(name, ctx.options.peerW7Caps);
    ctx.log(`compare: ${name} ${adapter.version} (${JSON.stringify(adapter.settings)})`);
    await attempt(name, 'ENQ', () => peerEnqueueThenBurst(ctx, adapter));
    await attempt(name, 'W2', async () => [await peerLateness(ctx, adapter)]);
    await attempt(name, 'W7', async () => [await peerFleet(ctx, adapter, W7_TASKS)]);
  }
  return results;
}

/** One row of the comparison table: a figure read from a workload's metrics. */
interface Row {
  label: string;
  workload: string;
  /** The figure, or undefined when the result has none. */
  value: (r: WorkloadResult) => number | undefined;
  format: (v: number) => string;
  higherIsBetter: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const lateness = (r: WorkloadResult, p: 'p50' | 'p99'): number | undefined =>
  num((r.metrics.latenessMs as Record<string, unknown> | undefined)?.[p]);

const ROWS: Row[] = [
  {
    label: 'ENQ 100,000 jobs/s',
    workload: 'ENQ',
    value: (r) => num(r.metrics.perSecond),
    format: int,
    higherIsBetter: true,
  },
  {
    label: 'W1 100,000, K=2, exec/s',
    workload: 'W1',
    value: (r) => num(r.metrics.execPerSec),
    format: int,
    higherIsBetter: true,
  },
  {
    label: 'W2 lateness p50, ms',
    workload: 'W2',
    value: (r) => lateness(r, 'p50'),
    format: (v) => fixed(v, 1),
    higherIsBetter: false,
  },
  {
    label: 'W2 lateness p99, ms',
    workload: 'W2',
    value: (r) => lateness(r, 'p99'),
    format: (v) => fixed(v, 1),
    higherIsBetter: false,
  },
  {
    label: 'W7 spread to last start, s',
    workload: 'W7',
    value: (r) => seconds(num(r.metrics.spreadMs)),
    format: (v) => fixed(v, 2),
    higherIsBetter: false,
  },
  {
    label: 'W7 lateness p99, s',
    workload: 'W7',
    value: (r) => seconds(lateness(r, 'p99')),
    format: (v) => fixed(v, 2),
    higherIsBetter: false,
  },
];

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** A W7 result of fewer tasks than asked (pg-boss) is shown but not compared. */
function comparable(r: WorkloadResult): boolean {
  if (r.workload !== 'W7') return true;
  const tasks = num(r.metrics.tasks) ?? num(r.metrics.due);
  return tasks === W7_TASKS;
}

/** Prints the table: absolute figures per system, and ours / best peer. */
export function printComparison(
  results: WorkloadResult[],
  systems: Array<{ key: string; label: string }>,
): void {
  const header = ['figure', ...systems.map((s) => s.label), 'ours / best peer'];
  const cells: string[][] = [];
  const notes = new Set<string>();
  for (const row of ROWS) {
    const line = [row.label];
    let ours: number | undefined;
    let best: number | undefined;
    for (const { key: system } of systems) {
      const r = results.find((x) => (x.system ?? OURS) === system && x.workload === row.workload);
      const v = r ? row.value(r) : undefined;
      if (!r) {
        const skipped = results.some((x) => x.system === system && x.variant === 'skipped');
        line.push(skipped ? 'skipped' : '-');
        continue;
      }
      if (v === undefined) {
        line.push(
          r.summary.startsWith('cannot') ? 'cannot' : r.summary.startsWith('FAILED') ? 'failed' : 'n/a',
        );
        continue;
      }
      if (r.workload === 'W7' && r.metrics.allStarted === false) {
        const windowS = (num(r.metrics.windowMs) ?? 0) / 1000;
        line.push(
          `> ${windowS} (${int(num(r.metrics.fires) ?? 0)} of ${int(num(r.metrics.tasks) ?? 0)} started)`,
        );
        continue;
      }
      let text = row.format(v);
      if (r.met === false && !r.summary.startsWith('FAILED')) {
        const broken = /NOT exactly once|WRONG|NOT rescheduled/.test(r.summary);
        if (broken) {
          text += ' !';
          notes.add('! the run failed its check (see the result lines)');
        }
      }
      if (!comparable(r)) {
        text += ` (${int(num(r.metrics.tasks) ?? 0)} tasks)*`;
        notes.add('* fewer tasks than asked (what the peer can express, see its line): not in the ratio');
      }
      line.push(text);
      if (system === OURS) ours = v;
      else if (comparable(r) && (best === undefined || (row.higherIsBetter ? v > best : v < best))) best = v;
    }
    const ratio = ours !== undefined && best !== undefined && best > 0 ? ours / best : undefined;
    line.push(
      ratio === undefined
        ? '-'
        : `x${ratio.toFixed(2)} ${row.higherIsBetter ? '(>1 better)' : '(<1 better)'}`,
    );
    cells.push(line);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const format = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i])).join(' | ');
  console.log('');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(format(c));
  for (const note of notes) console.log(note);
  console.log('');
}
