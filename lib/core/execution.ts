import type { RunScope } from './instrumentation.js';
import type { Registration } from './registry.js';
import type { StoreTask } from './job.js';

/**
 * Where one execution is:
 * - `running`: the job has not returned;
 * - `finished`: the job returned (or was given up on) and its outcome waits to be written;
 * - `settled`: the outcome is written, refused, or dropped; the execution holds nothing any more.
 */
export type ExecutionState = 'running' | 'finished' | 'settled';

/** Why a job's signal was aborted (the signal's `reason`). */
export type AbortReason = 'shutdown' | 'lease-lost' | 'deleted' | 'replaced' | 'timeout';

/** One claimed task on this instance, from claim until its outcome is written. */
export interface Execution {
  /** The task as claimed: its `version` is the fencing token, its `incarnation` the task it belongs to. */
  task: StoreTask;
  registration: Registration;
  controller: AbortController;
  state: ExecutionState;
  /** When the job started (ms since epoch, the scheduler's clock). */
  startedAt: number;
  /** Given up at shutdown (lease released): a late outcome is ignored. */
  abandoned: boolean;
  /**
   * The task was replaced or deleted while this ran: this run belongs to an incarnation that no
   * longer exists, so its outcome is discarded (the store would refuse it anyway).
   */
  superseded: boolean;
  /** The store no longer grants this execution its lease (taken over, replaced or deleted elsewhere). */
  leaseLost: boolean;
  /** `lease.lost` was reported for this execution (it is reported once). */
  leaseLostReported: boolean;
  /**
   * The job's slot was freed before it returned (it ignored its aborted signal past the grace): it
   * may still be running in the background; whatever it returns is ignored.
   */
  detached: boolean;
  /** Why the signal was aborted, once it was (read instead of the signal, which is created lazily). */
  abortReason: AbortReason | null;
  /** Ends the grace an aborted job gets to return (when it returns sooner). */
  graceTimer: AbortController | null;
  /** Stops waiting for the job (set while the job runs). */
  detach: (() => void) | null;
  /** The instrumentation's scope of this run (`null` without instrumentation). */
  scope: RunScope | null;
}

/** A new execution of a claimed task. */
export function newExecution(task: StoreTask, registration: Registration, startedAt: number): Execution {
  return {
    task,
    registration,
    controller: new AbortController(),
    state: 'running',
    startedAt,
    abandoned: false,
    superseded: false,
    leaseLost: false,
    leaseLostReported: false,
    detached: false,
    abortReason: null,
    graceTimer: null,
    detach: null,
    scope: null,
  };
}

/** Whether this execution's outcome may still be written: nothing has made it void. */
export function mayWriteOutcome(execution: Execution): boolean {
  return !execution.abandoned && !execution.superseded && !execution.leaseLost;
}

/**
 * Whether this execution's lease is renewed: it holds (or believes it holds) a live claim whose
 * outcome is not written yet. A job detached after its timeout is no longer waited for, but its
 * failure outcome is: the lease is kept until that is written, then the store clears it.
 */
export function needsLease(execution: Execution): boolean {
  return execution.state !== 'settled' && mayWriteOutcome(execution);
}
