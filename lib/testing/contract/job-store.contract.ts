import type { JobStore } from '../../core/store/job-store.js';
import { claimCases } from './cases/claim.cases.js';
import { consoleCases } from './cases/console.cases.js';
import { createCases } from './cases/create.cases.js';
import { createManyCases } from './cases/create-many.cases.js';
import { historyCases } from './cases/history.cases.js';
import { inputCases } from './cases/input.cases.js';
import { leaseCases } from './cases/lease.cases.js';
import { limitCases } from './cases/limits.cases.js';
import { listCases } from './cases/list.cases.js';
import { payloadCases } from './cases/payload.cases.js';
import { priorityCases } from './cases/priority.cases.js';
import { settleCases } from './cases/settle.cases.js';
import { slugCases } from './cases/slug.cases.js';
import { taskCases } from './cases/tasks.cases.js';
import { traceContextCases } from './cases/trace-context.cases.js';
import { updateCases } from './cases/update.cases.js';
import { wakeCases } from './cases/wake.cases.js';
import type { ContractContext, StoreHarness } from './store-harness.js';
import { resolveTestApi, type TestApi } from '../test-api.js';

export type { StoreHarness } from './store-harness.js';

/**
 * The one contract every `JobStore` passes (the same suite this library runs against its memory,
 * PostgreSQL and Firestore stores): a third-party store proves itself by running it. Call it from a
 * test file with a factory for a harness over a fresh, empty store; the suite uses only the
 * `JobStore` interface and the public errors, and never needs to know the store's clock (due times
 * are in 2001, future ones in 2100). It runs under Jest, or Vitest with `globals: true`; with other
 * setups pass the runner's functions as `api`.
 *
 * ```ts
 * import { describeJobStoreContract } from 'nestjs-durable-scheduler/testing';
 *
 * describeJobStoreContract('MyStore', async () => {
 *   const store = new MyStore({ url: process.env.MY_URL });
 *   await store.init();
 *   return { store, advance: (ms) => new Promise((r) => setTimeout(r, ms)), cleanup: () => store.close() };
 * });
 * ```
 */
export function describeJobStoreContract(
  name: string,
  makeHarness: () => Promise<StoreHarness>,
  api?: TestApi,
): void {
  const t = resolveTestApi(api);
  const { describe, beforeEach, afterEach } = t;
  describe(`JobStore contract: ${name}`, () => {
    let current: StoreHarness | undefined;

    const ctx: ContractContext = {
      t,
      get harness() {
        if (!current) throw new Error('the store harness is only available inside a test');
        return current;
      },
      get store() {
        return this.harness.store;
      },
      async stores(count) {
        const { harness } = this;
        return Promise.all(
          Array.from({ length: count }, (_, i) =>
            harness.peer && i > 0 ? harness.peer() : Promise.resolve<JobStore>(harness.store),
          ),
        );
      },
    };

    beforeEach(async () => {
      current = await makeHarness();
    });

    afterEach(async () => {
      const harness = current;
      current = undefined;
      await harness?.cleanup();
    });

    createCases(ctx);
    createManyCases(ctx);
    claimCases(ctx);
    leaseCases(ctx);
    settleCases(ctx);
    taskCases(ctx);
    payloadCases(ctx);
    slugCases(ctx);
    updateCases(ctx);
    listCases(ctx);
    historyCases(ctx);
    wakeCases(ctx);
    inputCases(ctx);
    consoleCases(ctx);
    traceContextCases(ctx);
    priorityCases(ctx);
    limitCases(ctx);
  });
}
