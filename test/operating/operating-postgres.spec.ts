import { SystemClock } from '../../lib/core/clock.js';
import { silentLogger } from '../../lib/core/logger.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { sleep, usePostgresDatabase } from '../support/postgres.js';
import { describeOperatingSuite } from '../../lib/testing/operating/operating.suite.js';

/**
 * The operating features on real PostgreSQL. The database compares due times with its own clock,
 * so the schedulers run on the system clock of this machine, and passing time is a real wait.
 */
const db = usePostgresDatabase();
let schemas = 0;

describeOperatingSuite('PostgresStore', async () => {
  schemas += 1;
  const pool = db.pool({ max: 6 });
  const store = new PostgresStore({ pool, schema: `operating_${schemas}`, logger: silentLogger });
  await store.init();
  return {
    store,
    clock: new SystemClock(),
    advance: (ms) => sleep(ms),
    async cleanup() {
      await store.close();
      await db.endPool(pool);
    },
  };
});
