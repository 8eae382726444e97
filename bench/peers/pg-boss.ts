/**
 * pg-boss as the comparison runs it (version 10: the last that runs on Node 20; 11 and 12 need
 * Node 22). Its documentation (docs/api/workers.md of 10.x) gives two levers for throughput:
 * `batchSize` (a worker fetches up to that many jobs per poll and gets them as one batch) and more
 * workers (each `work()` call adds one); `pollingIntervalSeconds` (default 2, at least 0.5) is how
 * long a worker waits between fetches, also after a fetch that found jobs. It names no numbers, so
 * the best of a small grid measured here with W1 (100,000 jobs, K = 2) is used: 2 `work()` calls per
 * process with `batchSize` 5000 (26,500 exec/s), against 4 × 250 (4,400), 4 × 500 (6,700),
 * 4 × 1000 (10,700), 4 × 2000 (16,900) and 2 × 2000 (14,400); polling every 0.5 s (the least it
 * allows). A batch is one handler call and one completion for all its jobs, all-or-nothing.
 * Bulk enqueue: `insert`. No LISTEN/NOTIFY: a job due later is seen at the next poll.
 *
 * W7: `schedule(name, cron)` keys a schedule by its queue name (one schedule per queue), and each
 * queue is a partition table of its own (createQueue), so 100,000 tenants would be 100,000 tables;
 * the comparison runs `--pgboss-schedules` (default 100) queues with one schedule each. Schedules
 * are evaluated every 30 s (`cronMonitorIntervalSeconds`) and its documentation calls for
 * minute-level (5-field) expressions; a due schedule becomes a job through an internal queue polled
 * every 5 s (`cronWorkerIntervalSeconds`).
 */
import type { PeerName } from '../cli-options.js';
import { sql } from '../setup-sql.js';
import type { HostedWorker, RecordRun } from '../worker-host.js';
import { importPeer, installedVersion } from './load.js';
import type { PgBossConstructor, PgBossInstance, PgBossJob } from './peer-api.js';
import {
  jobNumberChunks,
  PEER_TASK,
  type PeerAdapter,
  type PeerCron,
  type PeerProducer,
  type PeerTarget,
  type PeerWorkerConfig,
  type W7Plan,
  type W7State,
} from './peer.js';

const NAME: PeerName = 'pg-boss';
const WORKERS_PER_PROCESS = 2;
const BATCH_SIZE = 5000;
const POLLING_INTERVAL_SECONDS = 0.5;

function pgUrl(target: PeerTarget): string {
  if (target.backend !== 'postgres') throw new Error(`${NAME} runs on PostgreSQL`);
  return target.url;
}

/** W7's queue of tenant n. */
const tenantQueue = (n: number): string => `tenant-${n}`;

export async function pgBoss(scheduleCap: number): Promise<PeerAdapter> {
  const PgBoss = await importPeer<PgBossConstructor>('pg-boss');

  /** An instance that only writes (no maintenance, no cron monitoring): the producer. */
  async function client(target: PeerTarget): Promise<PgBossInstance> {
    const boss = new PgBoss({ connectionString: pgUrl(target), supervise: false, schedule: false });
    boss.on('error', (error) => process.stderr.write(`[${NAME}] ${error.message}\n`));
    await boss.start();
    return boss;
  }

  return {
    name: NAME,
    version: installedVersion(NAME) ?? 'unknown',
    backend: 'postgres',
    settings: {
      workersPerProcess: WORKERS_PER_PROCESS,
      batchSize: BATCH_SIZE,
      pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
      bulk: 'insert',
    },
    fireToleranceMs: 0,

    async prepare(target) {
      const boss = await client(target);
      try {
        await boss.createQueue(PEER_TASK);
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    },

    async producer(target): Promise<PeerProducer> {
      const boss = await client(target);
      return {
        async addBulk(from, to, chunk) {
          for (const numbers of jobNumberChunks(from, to, chunk))
            await boss.insert(numbers.map((n) => ({ name: PEER_TASK, data: { n } })));
        },
        async addAt(n, due) {
          await boss.send(PEER_TASK, { n, due }, { startAfter: new Date(due) });
        },
        close: () => boss.stop({ graceful: false, wait: true }),
      };
    },

    async pending(target) {
      const [row] = await sql<{ n: number }>(
        pgUrl(target),
        `SELECT count(*)::integer AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active', 'failed')`,
        [PEER_TASK],
      );
      return Number(row.n);
    },

    async worker(config: PeerWorkerConfig, record: RecordRun): Promise<HostedWorker> {
      const cron = config.cron;
      const boss = new PgBoss({ connectionString: pgUrl(config.target) });
      boss.on('error', (error) => process.stderr.write(`[${NAME} ${process.pid}] ${error.message}\n`));
      await boss.start();
      const options = { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS };
      const handler =
        (fire: (job: PgBossJob) => number) =>
        async (jobs: PgBossJob[]): Promise<void> => {
          for (const job of jobs) record(Number(job.data.n), fire(job));
        };
      return {
        async go() {
          if (cron) {
            // A cron job carries no fire time: every run of the window is the boundary's (hourly schedules).
            for (let n = 1; n <= cron.tasks; n++) {
              await boss.work(
                tenantQueue(n),
                options,
                handler(() => cron.boundary),
              );
            }
          } else {
            for (let i = 0; i < WORKERS_PER_PROCESS; i++) {
              await boss.work(
                PEER_TASK,
                options,
                handler((job) => Number(job.data.due ?? 0)),
              );
            }
          }
        },
        stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
      };
    },

    w7Plan(tasks): W7Plan {
      const scheduled = Math.min(tasks, scheduleCap);
      return {
        supported: true,
        tasks: scheduled,
        granularity: 'minute',
        // Up to 30 s until the cron monitor looks, 5 s until the internal queue is polled.
        leadMs: 8000 + scheduled * 40,
        note:
          `${scheduled} schedules, not ${tasks}: one schedule per queue and one partition table per queue in pg-boss 10; ` +
          'minute-level, evaluated every 30 s',
      };
    },

    async w7SetUp(target, cron) {
      const boss = await client(target);
      try {
        const minute = new Date(cron.boundary).getUTCMinutes();
        for (let n = 1; n <= cron.tasks; n++) {
          await boss.createQueue(tenantQueue(n));
          // Hourly on the boundary's minute: one fire during the run.
          await boss.schedule(tenantQueue(n), `${minute} * * * *`, { n }, { tz: 'UTC' });
        }
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    },

    async w7State(target, cron: PeerCron): Promise<W7State> {
      const [row] = await sql<{ n: number }>(
        pgUrl(target),
        'SELECT count(*)::integer AS n FROM pgboss.schedule',
      );
      return {
        rescheduled: Number(row.n) === cron.tasks,
        note: `${row.n}/${cron.tasks} schedules in place; pg-boss stores no next fire (every instance re-evaluates every schedule every 30 s)`,
      };
    },
  };
}
