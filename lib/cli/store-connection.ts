import type { Command } from 'commander';

import type { SchedulerLogger } from '../core/logger.js';
import { StdScheduler } from '../core/scheduler.js';
import type { JobStore } from '../core/store/job-store.js';
import type { PostgresStore } from '../stores/postgres/postgres-store.js';
import { cliMessages } from './errors/messages.js';
import { CliFailureError } from './errors/cli-failure.error.js';
import { CliUsageError } from './errors/cli-usage.error.js';
import type { CliIo } from './cli-io.js';

/** The store options every command takes. */
export interface StoreOptions {
  url?: string;
  schema?: string;
  table?: string;
  project?: string;
  collection?: string;
}

/** Adds the store options to a command. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)')
    .option('--schema <name>', 'PostgreSQL schema of the tables (default: public)')
    .option('--table <name>', 'PostgreSQL tasks table (default: scheduler_tasks)')
    .option(
      '--project <id>',
      'Firestore project id: use Firestore instead of PostgreSQL (the emulator when FIRESTORE_EMULATOR_HOST is set)',
    )
    .option('--collection <name>', 'Firestore tasks collection (default: schedules)');
}

/** Which store the options name, checked. */
export type StoreTarget =
  | { type: 'postgres'; url: string; schema?: string; tableName?: string }
  | { type: 'firestore'; projectId: string; collection?: string };

/** @throws CliUsageError when the options name no store, or two, or mix their options. */
export function storeTarget(options: StoreOptions, env: NodeJS.ProcessEnv): StoreTarget {
  if (options.project !== undefined) {
    if (options.url !== undefined) throw new CliUsageError(cliMessages.twoStores());
    if (options.schema !== undefined) throw new CliUsageError(cliMessages.postgresOnlyOption('--schema'));
    if (options.table !== undefined) throw new CliUsageError(cliMessages.postgresOnlyOption('--table'));
    return { type: 'firestore', projectId: options.project, collection: options.collection };
  }
  if (options.collection !== undefined)
    throw new CliUsageError(cliMessages.firestoreOnlyOption('--collection'));
  const url = options.url ?? env.DATABASE_URL;
  if (!url) throw new CliUsageError(cliMessages.noStore());
  return { type: 'postgres', url, schema: options.schema, tableName: options.table };
}

/** An open store: the scheduler API over it (never started: a client), and its store. */
export interface CliConnection {
  scheduler: StdScheduler;
  store: JobStore;
  /** The PostgreSQL store, for migrations; `null` on Firestore. */
  postgres: PostgresStore | null;
}

/**
 * Opens the store the options name, runs `use` with a scheduler over it (never started: it only
 * reads and writes tasks, like the console does), and closes everything. The drivers are loaded
 * only here, so a command line for one store never needs the other's.
 */
export async function withConnection<T>(
  options: StoreOptions,
  io: CliIo,
  use: (connection: CliConnection) => Promise<T>,
): Promise<T> {
  const target = storeTarget(options, io.env);
  const logger = cliLogger(io);
  const opened =
    target.type === 'postgres' ? await openPostgres(target, logger) : await openFirestore(target, logger);
  try {
    const scheduler = new StdScheduler(opened.store, { logger, instanceRegistry: false });
    return await use({ scheduler, store: opened.store, postgres: opened.postgres });
  } finally {
    await opened.close();
  }
}

interface OpenedStore {
  store: JobStore;
  postgres: PostgresStore | null;
  close(): Promise<void>;
}

async function openPostgres(
  target: Extract<StoreTarget, { type: 'postgres' }>,
  logger: SchedulerLogger,
): Promise<OpenedStore> {
  const { PostgresStore } = await loadPostgres();
  const store = new PostgresStore({
    connectionString: target.url,
    schema: target.schema,
    tableName: target.tableName,
    // A command never changes the schema behind the operator's back: `migrate` does, when asked.
    migrate: false,
    logger,
    poolConfig: { max: 2 },
  });
  return { store, postgres: store, close: () => store.close() };
}

async function openFirestore(
  target: Extract<StoreTarget, { type: 'firestore' }>,
  logger: SchedulerLogger,
): Promise<OpenedStore> {
  const { Firestore } = await importDriver(
    'Firestore',
    '@google-cloud/firestore',
    () => import('@google-cloud/firestore'),
  );
  const { FirestoreStore } = await import('../stores/firestore/index.js');
  const firestore = new Firestore({ projectId: target.projectId });
  const store = new FirestoreStore({ firestore, collection: target.collection, logger });
  return {
    store,
    postgres: null,
    close: async () => {
      await store.close();
      await firestore.terminate();
    },
  };
}

/** The PostgreSQL store's module (it needs `pg`, loaded only when a command uses PostgreSQL). */
export function loadPostgres(): Promise<typeof import('../stores/postgres/index.js')> {
  return importDriver('PostgreSQL', 'pg', () => import('../stores/postgres/index.js'));
}

/** Loads a store module; a missing driver becomes a clear failure rather than a stack trace. */
async function importDriver<T>(store: string, pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${pkg}'`);
    if (missing) throw new CliFailureError(cliMessages.driverMissing(store, pkg));
    throw error;
  }
}

/** The library's log lines: warnings and errors on stderr; the rest is not for a command line. */
function cliLogger(io: CliIo): SchedulerLogger {
  return {
    log: () => undefined,
    warn: (message) => io.err(`warning: ${message}\n`),
    error: (message) => io.err(`error: ${message}\n`),
  };
}
