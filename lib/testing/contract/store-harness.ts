import type { TestApi } from '../test-api.js';
import type { JobStore } from '../../core/store/job-store.js';

/**
 * What a store's test file hands to `describeJobStoreContract`: a ready, empty store and the
 * means to let its time pass. `makeHarness` is called before every test and `cleanup` after it.
 */
export interface StoreHarness {
  /** An initialised store holding no tasks and no history. */
  store: JobStore;
  /** Lets store time pass: a VirtualClock advance for memory, a real sleep for a database. */
  advance(ms: number): Promise<void>;
  /**
   * A second store object over the same data (another "instance"), for cross-instance tests.
   * May return `store` itself when the store has no notion of instances. The harness closes what
   * it opened here in `cleanup`.
   */
  peer?(): Promise<JobStore>;
  /** Closes what the harness opened (stores, peers, connections). */
  cleanup(): Promise<void>;
}

/** What every group of contract cases reads: the current test's harness and store. */
export interface ContractContext {
  /** The test runner's functions. */
  readonly t: TestApi;
  readonly harness: StoreHarness;
  readonly store: JobStore;
  /** `count` stores over the same data: peers when the harness has them, else `store` repeated. */
  stores(count: number): Promise<JobStore[]>;
}
