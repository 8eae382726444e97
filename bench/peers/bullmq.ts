/**
 * BullMQ (on Redis) as the comparison runs it. Settings from its documentation: a worker
 * `concurrency` of `CONCURRENCY` ("Parallelism and concurrency": a standard setting is 100-300 for
 * IO-bound jobs; several worker processes for parallelism), `maxRetriesPerRequest: null` for workers
 * ("Going to production"), and auto-removal of finished jobs (`removeOnComplete: { count: 1000 }`,
 * "keep a handful of completed jobs"). Bulk enqueue: `addBulk` ("Adding jobs in bulk").
 *
 * W7: job schedulers (`upsertJobScheduler(id, { pattern })`), one per tenant, with 6-field cron
 * patterns (seconds): each scheduler keeps one delayed job for its next fire and adds the following
 * one when that job starts. Every key of a run lives under a prefix of its own, deleted afterwards.
 */
import type { PeerName } from '../cli-options.js';
import type { HostedWorker, RecordRun } from '../worker-host.js';
import { importPeer, installedVersion } from './load.js';
import type { BullJob, BullMqModule, BullQueue, RedisConnectionOptions } from './peer-api.js';
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

const NAME: PeerName = 'bullmq';
const CONCURRENCY = 100;
/** The queue every job of a run goes to (its keys are `<prefix>:noop:*`). */
const QUEUE = PEER_TASK;
/** upsertJobScheduler calls in flight while W7 is set up. */
const SETUP_IN_FLIGHT = 200;

/** ioredis options of a `redis://host:port/db` URL. */
export function redisOptions(url: string): RedisConnectionOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379), db, maxRetriesPerRequest: null };
}

function redisTarget(target: PeerTarget): { connection: RedisConnectionOptions; prefix: string } {
  if (target.backend !== 'redis') throw new Error(`${NAME} runs on Redis`);
  return { connection: redisOptions(target.url), prefix: target.prefix };
}

/** The every-minute pattern of W7, on the boundary's second (as ours: `S * * * * *`). */
function minutePattern(boundary: number): string {
  return `${new Date(boundary).getUTCSeconds()} * * * * *`;
}

/** The fire a scheduler's job was made for: its `prevMillis`, else the end of its id `repeat:<id>:<ms>`. */
function fireOf(job: BullJob): number {
  if (typeof job.opts.prevMillis === 'number') return job.opts.prevMillis;
  return Number(String(job.id).slice(String(job.id).lastIndexOf(':') + 1));
}

export async function bullMq(): Promise<PeerAdapter> {
  const bull = await importPeer<BullMqModule>('bullmq');

  async function queue(target: PeerTarget): Promise<BullQueue> {
    const q = new bull.Queue(QUEUE, redisTarget(target));
    await q.waitUntilReady();
    return q;
  }

  return {
    name: NAME,
    version: installedVersion(NAME) ?? 'unknown',
    backend: 'redis',
    settings: {
      concurrency: CONCURRENCY,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
      bulk: 'addBulk',
    },
    fireToleranceMs: 0,

    async prepare() {
      // Nothing to install: keys are created on use.
    },

    async producer(target): Promise<PeerProducer> {
      const q = await queue(target);
      return {
        async addBulk(from, to, chunk) {
          for (const numbers of jobNumberChunks(from, to, chunk))
            await q.addBulk(numbers.map((n) => ({ name: PEER_TASK, data: { n } })));
        },
        async addAt(n, due) {
          await q.add(PEER_TASK, { n, due }, { delay: Math.max(0, due - Date.now()) });
        },
        close: () => q.close(),
      };
    },

    async pending(target) {
      const q = await queue(target);
      try {
        const counts = await q.getJobCounts('wait', 'active', 'delayed', 'failed', 'prioritized', 'paused');
        return Object.values(counts).reduce((a, b) => a + b, 0);
      } finally {
        await q.close();
      }
    },

    async worker(config: PeerWorkerConfig, record: RecordRun): Promise<HostedWorker> {
      const cron = config.cron;
      const worker = new bull.Worker(
        QUEUE,
        async (job) => {
          record(Number(job.data.n), cron ? fireOf(job) : Number(job.data.due ?? 0));
        },
        {
          ...redisTarget(config.target),
          concurrency: CONCURRENCY,
          autorun: false,
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 5000 },
        },
      );
      worker.on('error', (error) => process.stderr.write(`[${NAME} ${process.pid}] ${String(error)}\n`));
      await worker.waitUntilReady();
      let running: Promise<void> | null = null;
      return {
        async go() {
          running = worker.run().catch((error: unknown) => {
            process.stderr.write(`[${NAME} ${process.pid}] ${String(error)}\n`);
          });
        },
        async stop() {
          await worker.close();
          await running;
        },
      };
    },

    w7Plan(tasks): W7Plan {
      return {
        supported: true,
        tasks,
        granularity: 'second',
        leadMs: 10_000 + tasks * 0.3,
        note: 'job schedulers (upsertJobScheduler), one per tenant, 6-field pattern',
      };
    },

    async w7SetUp(target, cron: PeerCron) {
      const q = await queue(target);
      try {
        const pattern = minutePattern(cron.boundary);
        let next = 1;
        const lane = async (): Promise<void> => {
          while (next <= cron.tasks) {
            const n = next++;
            await q.upsertJobScheduler(
              `tenant-${n}`,
              { pattern, tz: 'UTC' },
              { name: PEER_TASK, data: { n } },
            );
          }
        };
        await Promise.all(Array.from({ length: SETUP_IN_FLIGHT }, lane));
      } finally {
        await q.close();
      }
    },

    async w7State(target, cron: PeerCron): Promise<W7State> {
      const q = await queue(target);
      try {
        const schedulers = await q.getJobSchedulers(0, -1);
        const following = cron.boundary + 60_000;
        const atNext = schedulers.filter((s) => s.next === following).length;
        return {
          rescheduled: atNext === cron.tasks,
          note: `${atNext}/${cron.tasks} job schedulers have their next job at the following fire (${schedulers.length} schedulers)`,
        };
      } finally {
        await q.close();
      }
    },
  };
}
