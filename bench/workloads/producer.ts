/**
 * A producer instance: a `StdScheduler` that is never started, used only to schedule tasks (as an
 * API server would), so that its `scheduleJob` writes through the store and NOTIFYs the workers.
 */
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';

export interface Producer {
  scheduler: StdScheduler;
  close(): Promise<void>;
}

/** `poolMax`: connections of its pool (`null`: pg's default, 10). */
export function producer(url: string, poolMax: number | null = 2): Producer {
  const store = new PostgresStore({
    connectionString: url,
    ...(poolMax === null ? {} : { poolConfig: { max: poolMax } }),
    logger: silentLogger,
  });
  const scheduler = new StdScheduler(store, { logger: silentLogger });
  return { scheduler, close: () => store.close() };
}
