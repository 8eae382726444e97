import type { Registration } from './registry.js';
import type { StoreTask } from './job.js';

/** One claimed task on this instance, from claim until its outcome is written. */
export interface Execution {
  task: StoreTask;
  registration: Registration;
  controller: AbortController;
  /** The job has returned or thrown; its outcome awaits the next batched write. */
  finished: boolean;
  /** Given up at shutdown (lease released): a late outcome is ignored. */
  abandoned: boolean;
  /** The store said another instance (or a replace/delete) took the task from us. */
  leaseLost: boolean;
}

/** Why a job's signal was aborted. */
export type AbortReason = 'shutdown' | 'lease-lost' | 'deleted';
