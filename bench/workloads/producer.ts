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

export function producer(url: string): Producer {
  const store = new PostgresStore({ connectionString: url, poolConfig: { max: 2 }, logger: silentLogger });
  const scheduler = new StdScheduler(store, { logger: silentLogger });
  return { scheduler, close: () => store.close() };
}
