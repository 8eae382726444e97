/**
 * The parts of the peers' APIs the bench calls, as structural types: the bench compiles without the
 * peers installed (they are loaded at run time from bench/peers/node_modules, see load.ts). Each
 * mirrors the package's own declarations for the version in bench/peers/package.json.
 */

// ---------------------------------------------------------------- graphile-worker 0.17

/** A job as a graphile-worker task handler sees it (`helpers.job`). */
export interface GraphileJob {
  id: string;
  run_at: Date;
}

export type GraphileTask = (payload: unknown, helpers: { job: GraphileJob }) => Promise<void>;

/** graphile-worker's `CronItem` (parsed by `parseCronItems`). */
export interface GraphileCronItem {
  task: string;
  match: string;
  identifier: string;
  payload: Record<string, unknown>;
  options?: { backfillPeriod?: number };
}

export interface GraphileLogger {
  readonly __logger: true;
}

export interface GraphileRunner {
  stop(reason?: string): Promise<void>;
  promise: Promise<void>;
}

export interface GraphileWorkerUtils {
  addJobs(specs: Array<{ identifier: string; payload: unknown; runAt?: Date }>): Promise<unknown[]>;
  addJob(identifier: string, payload: unknown, spec?: { runAt?: Date }): Promise<unknown>;
  migrate(): Promise<void>;
  release(): Promise<void>;
}

/** The worker's settings: graphile-worker's `RunnerOptions` (with a `preset` for the batching options). */
export interface GraphileRunnerOptions {
  pgPool?: unknown;
  connectionString?: string;
  concurrency?: number;
  maxPoolSize?: number;
  noHandleSignals?: boolean;
  pollInterval?: number;
  taskList?: Record<string, GraphileTask>;
  parsedCronItems?: unknown[];
  logger?: GraphileLogger;
  preset?: {
    worker?: {
      localQueue?: { size: number };
      completeJobBatchDelay?: number;
      failJobBatchDelay?: number;
    };
  };
}

export interface GraphileWorkerModule {
  run(options: GraphileRunnerOptions): Promise<GraphileRunner>;
  makeWorkerUtils(options: {
    connectionString: string;
    logger?: GraphileLogger;
  }): Promise<GraphileWorkerUtils>;
  parseCronItems(items: GraphileCronItem[]): unknown[];
  Logger: new (factory: () => (level: string, message: string, meta?: unknown) => void) => GraphileLogger;
}

// ---------------------------------------------------------------- pg-boss 10

export interface PgBossJob {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

export interface PgBossInstance {
  start(): Promise<unknown>;
  stop(options?: { graceful?: boolean; wait?: boolean; timeout?: number; close?: boolean }): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  createQueue(name: string, options?: Record<string, unknown>): Promise<void>;
  insert(jobs: Array<{ name: string; data?: object; startAfter?: Date }>): Promise<void>;
  send(name: string, data: object, options?: { startAfter?: Date }): Promise<string | null>;
  work(
    name: string,
    options: { batchSize?: number; pollingIntervalSeconds?: number },
    handler: (jobs: PgBossJob[]) => Promise<void>,
  ): Promise<string>;
  offWork(name: string): Promise<void>;
  schedule(name: string, cron: string, data?: object, options?: { tz?: string }): Promise<void>;
  getQueueSize(name: string): Promise<number>;
}

export type PgBossConstructor = new (options: {
  connectionString: string;
  max?: number;
  schema?: string;
  supervise?: boolean;
  schedule?: boolean;
  migrate?: boolean;
}) => PgBossInstance;

// ---------------------------------------------------------------- BullMQ 6 and ioredis 5

export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  maxRetriesPerRequest: null;
}

export interface BullJob {
  id?: string;
  data: Record<string, unknown>;
  opts: { prevMillis?: number };
}

export interface BullQueue {
  addBulk(jobs: Array<{ name: string; data: object; opts?: object }>): Promise<unknown[]>;
  add(name: string, data: object, opts?: { delay?: number }): Promise<unknown>;
  upsertJobScheduler(
    id: string,
    repeat: { pattern: string; tz?: string },
    template: { name: string; data: object },
  ): Promise<unknown>;
  getJobSchedulers(
    start?: number,
    end?: number,
    asc?: boolean,
  ): Promise<Array<{ key: string; next?: number | null }>>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BullWorker {
  run(): Promise<void>;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
  on(event: 'error' | 'failed', listener: (...args: unknown[]) => void): unknown;
}

export interface BullMqModule {
  Queue: new (name: string, options: { connection: RedisConnectionOptions; prefix: string }) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<void>,
    options: {
      connection: RedisConnectionOptions;
      prefix: string;
      concurrency: number;
      autorun: boolean;
      removeOnComplete?: { count: number };
      removeOnFail?: { count: number };
    },
  ) => BullWorker;
}

export interface RedisClient {
  ping(): Promise<string>;
  scan(cursor: string, ...args: Array<string | number>): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export type RedisConstructor = new (options: {
  host: string;
  port: number;
  db: number;
  lazyConnect?: boolean;
  connectTimeout?: number;
  maxRetriesPerRequest?: number | null;
  retryStrategy?: () => null;
  enableOfflineQueue?: boolean;
}) => RedisClient & { connect(): Promise<void> };
