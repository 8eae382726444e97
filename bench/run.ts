/**
 * `npm run bench -- [options]`: runs the workloads of issue 5 (bench/README.md), prints a table and
 * appends one JSON line per result to bench/results/<date>.jsonl.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

import { USAGE, parseOptions, type WorkloadName } from './cli-options.js';
import { OURS, PeersMissingError, assertPeersInstalled, printComparison, runComparison } from './compare.js';
import { installedVersion } from './peers/load.js';
import { acquireServer, serverInfo, type BenchServer, type ServerInfo } from './pg-server.js';
import { rounded } from './stats.js';
import { w1Burst } from './workloads/w1-burst.js';
import { w2Lateness } from './workloads/w2-lateness.js';
import { w3Idle } from './workloads/w3-idle.js';
import { w4Scale } from './workloads/w4-scale.js';
import { w5Memory } from './workloads/w5-memory.js';
import { w6Cron } from './workloads/w6-cron.js';
import { w7Fleet } from './workloads/w7-fleet.js';
import { enqueue } from './workloads/enqueue.js';
import { policies } from './workloads/policies.js';
import {
  failedResult,
  type Workload,
  type WorkloadContext,
  type WorkloadResult,
} from './workloads/workload.js';

const WORKLOADS: Record<WorkloadName, { run: Workload; postgres: boolean }> = {
  W1: { run: w1Burst, postgres: true },
  W2: { run: w2Lateness, postgres: true },
  W3: { run: w3Idle, postgres: true },
  W4: { run: w4Scale, postgres: true },
  W5: { run: w5Memory, postgres: false },
  W6: { run: w6Cron, postgres: true },
  W7: { run: w7Fleet, postgres: true },
  ENQ: { run: enqueue, postgres: true },
  POL: { run: policies, postgres: true },
};

/** The source tree's bench/results (the compiled runner lives in build/bench). */
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function printTable(rows: Array<WorkloadResult & { run: number }>): void {
  const withSystem = rows.some((r) => r.system !== undefined);
  const header = [...(withSystem ? ['system'] : []), 'workload', 'variant', 'run', 'result', 'target', 'met'];
  const cells = rows.map((r) => [
    ...(withSystem ? [r.system ?? OURS] : []),
    r.workload,
    r.variant,
    String(r.run),
    r.summary,
    r.target,
    r.met === null ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i])).join(' | ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
  console.log('');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  if (options.compare) assertPeersInstalled();
  const needsPostgres = options.compare || options.only.some((w) => WORKLOADS[w].postgres);
  let server: BenchServer | null = null;
  let pgInfo: ServerInfo | null = null;
  const onSignal = (): void => {
    void server?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  const results: Array<WorkloadResult & { run: number }> = [];
  try {
    if (needsPostgres) {
      server = await acquireServer(options.pgUrl, options.statements);
      pgInfo = await serverInfo(server);
      log(
        `PostgreSQL: ${pgInfo.version.split(' on ')[0]} (fsync ${pgInfo.fsync}, synchronous_commit ${pgInfo.synchronousCommit})`,
      );
    }
    const ctx: WorkloadContext = {
      server: server as BenchServer,
      options,
      log,
    };
    const date = new Date();
    const file = `${RESULTS_DIR}${date.toISOString().slice(0, 10)}.jsonl`;
    const peerVersions = Object.fromEntries(options.peers.map((p) => [p, installedVersion(p)]));
    const env = { machine: machine(), postgres: pgInfo, ...(options.compare ? { peers: peerVersions } : {}) };
    const save = (result: WorkloadResult, run: number): void => {
      log(
        `${result.system ? `${result.system} ` : ''}${result.workload} ${result.variant}: ${result.summary}`,
      );
      if (!options.save) return;
      mkdirSync(RESULTS_DIR, { recursive: true });
      const record = {
        date: new Date().toISOString(),
        run,
        ...result,
        ...env,
        // The machine is shared: its load when the result came (1, 5 and 15 minute averages).
        loadAverage: loadavg(),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      };
      appendFileSync(file, JSON.stringify(rounded(record)) + '\n');
    };
    if (options.compare) {
      for (let run = 1; run <= options.repeat; run++) {
        log(`compare run ${run}/${options.repeat}`);
        const produced = await runComparison(ctx as WorkloadContext & { options: typeof options }, (r) =>
          save(r, run),
        );
        for (const r of produced) results.push({ ...r, run });
        printTable(results.filter((r) => r.run === run));
        printComparison(produced, [
          { key: OURS, label: OURS },
          ...options.peers.map((p) => ({ key: p, label: `${p} ${peerVersions[p] ?? ''}`.trim() })),
        ]);
      }
      if (options.save) log(`results appended to ${file}`);
      return;
    }
    for (const name of options.only) {
      for (let run = 1; run <= options.repeat; run++) {
        log(`${name} run ${run}/${options.repeat}`);
        const started = Date.now();
        let produced: WorkloadResult[];
        try {
          produced = await WORKLOADS[name].run(ctx);
        } catch (error) {
          produced = [failedResult(error, log, { workload: name, label: `${name} run ${run}` })];
        }
        log(`${name} run ${run} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        for (const result of produced) {
          results.push({ ...result, run });
          save(result, run);
        }
      }
    }
    printTable(results);
    if (options.save) log(`results appended to ${file}`);
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  if (error instanceof PeersMissingError) console.error(`[bench] --compare: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
