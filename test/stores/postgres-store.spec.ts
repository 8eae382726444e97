import { silentLogger } from '../../lib/core/logger.js';
import type { JobStore } from '../../lib/core/store/job-store.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { describeJobStoreContract } from '../../lib/testing/contract/job-store.contract.js';
import { sleep, usePostgresDatabase } from '../support/postgres.js';

/**
 * The shared store contract on real PostgreSQL. Each test gets a fresh schema in this file's
 * database (the store's migrations create its tables there); peers are further stores over the
 * same tables, each with its own pool opened from a connection string, as separate app instances are.
 */
const db = usePostgresDatabase();
let schemas = 0;

describeJobStoreContract('PostgresStore', async () => {
  schemas += 1;
  const schema = `contract_${schemas}`;
  const pool = db.pool({ max: 4 });
  const store = new PostgresStore({ pool, schema, logger: silentLogger });
  await store.init();
  const peers: PostgresStore[] = [];

  return {
    store,
    advance: (ms) => sleep(ms),
    async peer(): Promise<JobStore> {
      const peer = new PostgresStore({
        connectionString: db.url,
        poolConfig: { max: 2 },
        schema,
        logger: silentLogger,
      });
      await peer.init();
      peers.push(peer);
      return peer;
    },
    async cleanup() {
      await Promise.all(peers.map((peer) => peer.close()));
      await store.close();
      await db.endPool(pool);
    },
  };
});
