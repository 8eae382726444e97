import { bulkCases } from './cases/bulk.cases.js';
import { ensureRecurringCases } from './cases/ensure-recurring.cases.js';
import { historyCases } from './cases/history.cases.js';
import { limitsCases } from './cases/limits.cases.js';
import { listCases } from './cases/list.cases.js';
import { notFoundCases } from './cases/not-found.cases.js';
import { pauseCases } from './cases/pause.cases.js';
import { policiesCases } from './cases/policies.cases.js';
import { reliabilityCases } from './cases/reliability.cases.js';
import { runningCases } from './cases/running.cases.js';
import { triggerCases } from './cases/trigger.cases.js';
import { OperatingEnv, type OperatingHarness } from './operating-harness.js';
import { resolveTestApi, type TestApi } from '../test-api.js';

/** What every group of cases reads: the current test's environment. */
export interface OperatingContext {
  /** The test runner's functions. */
  readonly t: TestApi;
  readonly env: OperatingEnv;
}

/**
 * The operating features end to end through `StdScheduler`, on one store: pause and resume (a
 * task, a kind), run now, reschedule, listing by state with a cursor, unknown slugs, a pause issued
 * while the job runs, execution history, and the reliability cases (replaced tasks, hostile jobs,
 * timeouts, bad input). A third-party store runs it next to the contract suite. A store's spec file calls it with a
 * factory for a harness over a fresh, empty store, as it does the store contract.
 */
export function describeOperatingSuite(
  name: string,
  makeHarness: () => Promise<OperatingHarness>,
  api?: TestApi,
): void {
  const t = resolveTestApi(api);
  const { describe, beforeEach, afterEach } = t;
  describe(`Operating features: ${name}`, () => {
    let current: OperatingEnv | undefined;
    const ctx: OperatingContext = {
      t,
      get env() {
        if (!current) throw new Error('the environment is only available inside a test');
        return current;
      },
    };

    beforeEach(async () => {
      current = new OperatingEnv(await makeHarness());
    });

    afterEach(async () => {
      const env = current;
      current = undefined;
      if (!env) return;
      try {
        await env.teardown();
      } finally {
        await env.harness.cleanup();
      }
    });

    pauseCases(ctx);
    triggerCases(ctx);
    ensureRecurringCases(ctx);
    listCases(ctx);
    notFoundCases(ctx);
    runningCases(ctx);
    historyCases(ctx);
    reliabilityCases(ctx);
    bulkCases(ctx);
    policiesCases(ctx);
    limitsCases(ctx);
  });
}
