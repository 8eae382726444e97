/**
 * `nestjs-durable-scheduler/testing`: what tests need, with no Nest package: the virtual-clock test
 * kit, and the suites this library runs against its own stores, for a third-party store to prove
 * itself with (`describeJobStoreContract`, `describeOperatingSuite`; under Jest, or Vitest with
 * `globals: true`). The Nest testing module (`SchedulerTestingModule`) is in the main entry.
 */
export * from './testing/kit.js';
export { CapturingLogger } from './testing/capturing-logger.js';
export { describeJobStoreContract } from './testing/contract/job-store.contract.js';
export type { StoreHarness } from './testing/contract/store-harness.js';
export { describeOperatingSuite } from './testing/operating/operating.suite.js';
export type { OperatingHarness } from './testing/operating/operating-harness.js';
export type {
  AsyncSuiteMatchers,
  SuiteExpect,
  SuiteMatchers,
  TestApi,
  TestBody,
} from './testing/test-api.js';
