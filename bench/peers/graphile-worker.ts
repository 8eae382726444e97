/**
 * graphile-worker as the comparison runs it. Settings: the "Performance" page of its documentation
 * (website/docs/performance.md, the configuration its published figures were measured with):
 * `concurrentJobs: 24`, `maxPoolSize: 25`, `localQueue: { size: 500 }`, `completeJobBatchDelay: 0`,
 * `failJobBatchDelay: 0`; `pollInterval` left at its default (2 s: jobs due later than now are found
 * by polling, jobs due now through LISTEN/NOTIFY). Bulk enqueue: `addJobs`.
 *
 * W7: graphile-worker's cron is a crontab of the worker (a file, or `parsedCronItems` given to
 * `run()`), minute-level (5 fields), evaluated in every worker process; each item needs its own
 * `identifier` (a row in `_private_known_crontabs`). 100,000 per-tenant schedules can be written as
 * 100,000 crontab items, but they are static configuration of every worker process (a new tenant
 * means a new list in every process), not data one can add through an API.
 */
import type { PeerName } from '../cli-options.js';
import { sql } from '../setup-sql.js';
import type { HostedWorker, RecordRun } from '../worker-host.js';
import { importPeer, installedVersion } from './load.js';
import type { GraphileLogger, GraphileWorkerModule, GraphileWorkerUtils } from './peer-api.js';
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

const NAME: PeerName = 'graphile-worker';

/**
 * Why W7 gives it fewer tasks by default (`--graphile-cron-items`): measured on this machine, the
 * time from the minute to the jobs being added (one worker process; 100,000: two, in `--compare`).
 */
const SUPERLINEAR =
  "the one statement that turns a minute's matching crontab items into jobs grows faster than linearly " +
  '(5,000 items 2.3 s, 10,000 7.5 s, 20,000 23 s; 100,000 still running after 7 minutes)';

const SETTINGS = {
  concurrency: 24,
  maxPoolSize: 25,
  localQueue: { size: 500 },
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
};

function pgUrl(target: PeerTarget): string {
  if (target.backend !== 'postgres') throw new Error(`${NAME} runs on PostgreSQL`);
  return target.url;
}

/** Warnings and errors to stderr, the rest dropped. */
function quietLogger(graphile: GraphileWorkerModule): GraphileLogger {
  return new graphile.Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning')
      process.stderr.write(`[${NAME} ${process.pid}] ${level}: ${message}\n`);
  });
}

async function utils(graphile: GraphileWorkerModule, target: PeerTarget): Promise<GraphileWorkerUtils> {
  return graphile.makeWorkerUtils({ connectionString: pgUrl(target), logger: quietLogger(graphile) });
}

/** The fire a cron job was made for, from the payload graphile-worker gives it. */
function cronFire(payload: Record<string, unknown>): number {
  const cron = payload._cron as { ts?: string } | undefined;
  return cron?.ts ? Date.parse(cron.ts) : Number.NaN;
}

export async function graphileWorker(cronItemCap: number): Promise<PeerAdapter> {
  const graphile = await importPeer<GraphileWorkerModule>('graphile-worker');
  return {
    name: NAME,
    version: installedVersion(NAME) ?? 'unknown',
    backend: 'postgres',
    settings: { ...SETTINGS, pollInterval: '2000 (default)', bulk: 'addJobs' },
    fireToleranceMs: 0,

    async prepare(target) {
      const u = await utils(graphile, target);
      try {
        await u.migrate();
      } finally {
        await u.release();
      }
    },

    async producer(target): Promise<PeerProducer> {
      const u = await utils(graphile, target);
      return {
        async addBulk(from, to, chunk) {
          for (const numbers of jobNumberChunks(from, to, chunk))
            await u.addJobs(numbers.map((n) => ({ identifier: PEER_TASK, payload: { n } })));
        },
        async addAt(n, due) {
          await u.addJob(PEER_TASK, { n, due }, { runAt: new Date(due) });
        },
        close: () => u.release(),
      };
    },

    async pending(target) {
      const [row] = await sql<{ n: number }>(
        pgUrl(target),
        'SELECT count(*)::integer AS n FROM graphile_worker._private_jobs',
      );
      return Number(row.n);
    },

    async worker(config: PeerWorkerConfig, record: RecordRun): Promise<HostedWorker> {
      const cron = config.cron;
      const parsedCronItems = cron
        ? graphile.parseCronItems(
            Array.from({ length: cron.tasks }, (_, i) => ({
              task: PEER_TASK,
              // Hourly on the boundary's minute: one fire during the run, like every schedule of W7.
              match: `${new Date(cron.boundary).getUTCMinutes()} * * * *`,
              identifier: `tenant-${i + 1}`,
              payload: { n: i + 1 },
              options: { backfillPeriod: 0 },
            })),
          )
        : undefined;
      let runner: Awaited<ReturnType<GraphileWorkerModule['run']>> | null = null;
      return {
        async go() {
          runner = await graphile.run({
            connectionString: pgUrl(config.target),
            concurrency: SETTINGS.concurrency,
            maxPoolSize: SETTINGS.maxPoolSize,
            noHandleSignals: true,
            logger: quietLogger(graphile),
            preset: {
              worker: {
                localQueue: SETTINGS.localQueue,
                completeJobBatchDelay: SETTINGS.completeJobBatchDelay,
                failJobBatchDelay: SETTINGS.failJobBatchDelay,
              },
            },
            taskList: {
              [PEER_TASK]: async (payload) => {
                const p = payload as Record<string, unknown>;
                record(Number(p.n), cron ? cronFire(p) : Number(p.due ?? 0));
              },
            },
            ...(parsedCronItems ? { parsedCronItems } : {}),
          });
        },
        async stop() {
          await runner?.stop();
        },
      };
    },

    w7Plan(tasks): W7Plan {
      const items = Math.min(tasks, cronItemCap);
      return {
        supported: true,
        tasks: items,
        granularity: 'minute',
        leadMs: 12_000,
        note:
          (items < tasks ? `${items} crontab items, not ${tasks}: ${SUPERLINEAR}; ` : '') +
          'crontab of the workers (parsedCronItems, one identifier per tenant), minute-level, static per process',
      };
    },

    async w7SetUp() {
      // The crontab is the workers' configuration (PeerWorkerConfig.cron).
    },

    async w7State(target, cron: PeerCron): Promise<W7State> {
      const [row] = await sql<{ at_boundary: number; known: number }>(
        pgUrl(target),
        `SELECT count(*) FILTER (WHERE last_execution = to_timestamp($1::float8 / 1000))::integer AS at_boundary,
                count(*)::integer AS known
         FROM graphile_worker._private_known_crontabs`,
        [cron.boundary],
      );
      return {
        rescheduled: row.at_boundary === cron.tasks,
        note: `${row.at_boundary}/${cron.tasks} crontab items record the boundary as their last execution (${row.known} known); the next fire is computed in each worker process every minute, not stored`,
      };
    },
  };
}
