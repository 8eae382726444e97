/**
 * W3 idle cost: 100,000 tasks due in an hour; K = 2 workers; over a window of 10 s (after the
 * workers settled and the set-up's statistics were flushed): database transactions per second
 * (`pg_stat_database.xact_commit` delta), rows read (`tup_returned + tup_fetched` delta) per second,
 * and worker CPU ms per second.
 */
import { Fleet } from '../fleet.js';
import { onServer } from '../pg-server.js';
import { databaseCounters, insertTasks } from '../setup-sql.js';
import { fixed, sleep } from '../stats.js';
import { KIND, withDatabase, workerConfig } from './shared.js';
import type { Workload, WorkloadResult } from './workload.js';

const TASKS = 100_000;
const WORKERS = 2;
/**
 * PostgreSQL 15 flushes a backend's statistics at most once a second, and pending ones after up to
 * 10 s of idleness: waiting this long after start-up keeps the start-up's queries out of the window.
 */
const QUIESCE_MS = 12_000;

export const w3Idle: Workload = async (ctx) =>
  withDatabase(ctx, 'w3', async (db, track): Promise<WorkloadResult[]> => {
    const windowMs = ctx.options.idleSeconds * 1000;
    ctx.log(`W3: inserting ${TASKS} tasks due in an hour`);
    await insertTasks(db.url, {
      prefix: 'w3-',
      kind: KIND,
      count: TASKS,
      runAtSql: `now() + interval '1 hour' + g * interval '1 millisecond'`,
    });
    if (ctx.options.debug) {
      // Every statement of the workers goes to the server log (a profiling aid, see bench/README.md).
      await onServer(ctx.server.url, (client) =>
        client.query(`ALTER DATABASE "${db.name}" SET log_statement = 'all'`),
      );
    }
    const config = workerConfig(ctx, db.url, 'none');
    const fleet = track(await Fleet.start(WORKERS, config, ctx.options.workerExecArgv));
    fleet.go();
    ctx.log(
      `W3: workers idle; waiting ${QUIESCE_MS / 1000} s for start-up statistics, then measuring ${windowMs / 1000} s`,
    );
    await sleep(QUIESCE_MS);
    const c0 = await databaseCounters(ctx.server.url, db.name);
    if (ctx.options.debug) ctx.log(`W3: window from ${new Date(c0.at).toISOString()} on ${db.name}`);
    const cpu0 = await fleet.cpuMs();
    if (ctx.options.debug) {
      for (let t = 0; t < windowMs; t += 1000) {
        await sleep(1000);
        const c = await databaseCounters(ctx.server.url, db.name);
        ctx.log(
          `  +${((c.at - c0.at) / 1000).toFixed(1)} s: commits +${c.xactCommit - c0.xactCommit}, rows +${c.tupReturned + c.tupFetched - c0.tupReturned - c0.tupFetched}`,
        );
      }
    } else {
      await sleep(windowMs);
    }
    const cpu1 = await fleet.cpuMs();
    const c1 = await databaseCounters(ctx.server.url, db.name);
    await fleet.stop();

    const seconds = (c1.at - c0.at) / 1000;
    const commits = c1.xactCommit - c0.xactCommit;
    const rows = c1.tupReturned - c0.tupReturned + (c1.tupFetched - c0.tupFetched);
    const txPerSec = commits / seconds;
    const txPerSecPerInstance = txPerSec / WORKERS;
    const rowsPerSec = rows / seconds;
    const cpuMsPerSec = cpu1.map((c, i) => (c - cpu0[i]) / seconds);
    const met = txPerSecPerInstance <= 0.2 && rowsPerSec < 100;
    return [
      {
        workload: 'W3',
        variant: `${TASKS.toLocaleString('en-US')} tasks due in 1 h, K=${WORKERS}, ${fixed(seconds, 1)} s`,
        summary: `${fixed(txPerSec)} tx/s (${fixed(txPerSecPerInstance)}/instance), ${fixed(rowsPerSec, 1)} rows read/s, worker CPU ${cpuMsPerSec.map((c) => fixed(c)).join(' / ')} ms/s`,
        target: '<= 0.2 tx/s per instance, < 100 rows read/s',
        met,
        metrics: {
          tasks: TASKS,
          workers: WORKERS,
          seconds,
          commits,
          txPerSec,
          txPerSecPerInstance,
          rowsRead: rows,
          rowsPerSec,
          workerCpuMsPerSec: cpuMsPerSec,
        },
        options: { ...config.scheduler, poolMax: config.poolMax },
      },
    ];
  });
