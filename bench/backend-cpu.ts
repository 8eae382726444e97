/**
 * CPU time of the PostgreSQL backends serving one database, read from /proc (Linux, server on this
 * machine). Wall-clock throughput on a shared 2-core machine is noisy; CPU time per job is not, so
 * W1 reports both.
 */
import { readFileSync } from 'node:fs';

import { onServer } from './pg-server.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU ms (user + system) of each backend process of `database`; null when /proc cannot tell. */
export async function backendCpu(serverUrl: string, database: string): Promise<Map<number, number> | null> {
  const pids = await onServer(serverUrl, async (client) => {
    const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((r: { pid: number }) => Number(r.pid));
  });
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      return null; // not a local server (or no /proc): no figure rather than a wrong one
    }
  }
  return cpu;
}

/** CPU ms the backends used between two readings (backends born in between count in full). */
export function cpuBetween(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
