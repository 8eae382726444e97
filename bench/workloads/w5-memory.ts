/**
 * W5 memory store: 100,000 one-time no-op jobs due now, one process (`StdScheduler` on a
 * `MemoryStore`, in a fresh child process: bench/memory-burst.ts); executions per second from
 * `start()` until the last execution starts; every job must run exactly once.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { MemoryBurstOptions, MemoryBurstResult } from '../memory-burst.js';
import { int } from '../stats.js';
import { KIND } from './shared.js';
import type { Workload } from './workload.js';

const TARGET_RATE = 200_000;
const SCRIPT = fileURLToPath(new URL('../memory-burst.js', import.meta.url));

function runChild(options: MemoryBurstOptions): Promise<MemoryBurstResult> {
  return new Promise((resolve, reject) => {
    const child = fork(SCRIPT, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: MemoryBurstResult | null = null;
    child.on('message', (message: MemoryBurstResult) => (result = message));
    child.on('error', reject);
    child.on('close', (code) =>
      result ? resolve(result) : reject(new Error(`W5 child exited with ${code} and no result`)),
    );
  });
}

export const w5Memory: Workload = async (ctx) => {
  const { jobs, maxConcurrency, batchSize } = ctx.options.memory;
  const r = await runChild({ jobs, maxConcurrency, batchSize, kind: KIND });
  const rate = r.executed / r.seconds;
  const exactlyOnce = r.executed === jobs && r.duplicates === 0 && r.leftInStore === 0;
  return [
    {
      workload: 'W5',
      variant: `memory store, ${int(jobs)} jobs, 1 process`,
      summary: `${int(rate)} exec/s in ${r.seconds.toFixed(3)} s; ${exactlyOnce ? 'exactly once' : `NOT exactly once (ran ${r.executed}, dup ${r.duplicates}, left ${r.leftInStore})`}`,
      target: `>= ${int(TARGET_RATE)} exec/s`,
      met: exactlyOnce && rate >= TARGET_RATE,
      metrics: { jobs, ...r, execPerSec: rate, exactlyOnce, cpuUsPerJob: (r.cpuMs * 1000) / jobs },
      options: { maxConcurrency, batchSize },
    },
  ];
};
