import type { Clock } from './clock.js';
import { errorMessage } from './error-text.js';
import type { EventBus } from './event-bus.js';
import type { Execution } from './execution.js';
import type { SchedulerInstrumentation } from './instrumentation.js';
import type { SchedulerLogger } from './logger.js';
import type { JobStore } from './store/job-store.js';

/** The scheduler's options, checked and resolved once (see `resolveSettings`). */
export interface EngineSettings {
  /** This instance's id, written as lease owner. */
  owner: string;
  leaseMs: number;
  maxConcurrency: number;
  batchSize: number;
  /** Longest idle sleep before the loop looks at the store again. */
  pollMs: number;
  jitter: number;
  stopTimeoutMs: number;
  /** Longest wait for one store call before it counts as failed. */
  storeTimeoutMs: number;
  /** How long an aborted job (timeout, lease lost, replaced) may take to return before its slot is freed. */
  abortGraceMs: number;
  /** Whether one history record is kept per execution. */
  recordHistory: boolean;
  /** Whether scheduling calls store their trace context with the task by default. */
  propagateTraceContext: boolean;
}

/**
 * What every part of the engine shares, built once by the scheduler and handed to the run loop,
 * the executor, the settle queue and the lease keeper (as graphile-worker passes its compiled
 * options as `ctx`): resolved settings, the clock, a logger that never throws, the events, the
 * store (every call bounded by `storeTimeoutMs`), the instrumentation, and the two reports those
 * parts all make.
 */
export class EngineContext {
  constructor(
    readonly settings: EngineSettings,
    readonly clock: Clock,
    readonly logger: SchedulerLogger,
    readonly events: EventBus,
    readonly store: JobStore,
    /** Tracing hooks; `null` when none is set (then no hook is called and nothing is allocated for one). */
    readonly instrumentation: SchedulerInstrumentation | null = null,
  ) {}

  /** A store call failed: logged, emitted as `store.error`, and returned as text for `health()`. */
  reportStoreError(operation: string, error: unknown, what = 'will retry'): string {
    const message = errorMessage(error);
    this.logger.error(`Store ${operation} failed, ${what}: ${message}`);
    if (this.events.has('store.error')) {
      this.events.emit('store.error', { operation, error: message, instanceId: this.settings.owner });
    }
    return message;
  }

  /**
   * This instance no longer holds the task an execution claimed: logged and emitted once per
   * execution, whichever part noticed first (a refused renewal, a refused outcome, a new claim).
   */
  reportLeaseLost(execution: Execution, why: string): void {
    execution.leaseLost = true;
    if (execution.leaseLostReported) return;
    execution.leaseLostReported = true;
    const { slug, kind } = execution.task;
    this.logger.warn(`[${kind}:${slug}] ${why}`);
    if (this.events.has('lease.lost')) {
      this.events.emit('lease.lost', { slug, kind, instanceId: this.settings.owner });
    }
  }
}

/**
 * A logger that never throws into the engine: a logger of the app's that fails (a closed stream, a
 * transport that throws) loses that line, not the run that wrote it.
 */
export function safeLogger(logger: SchedulerLogger): SchedulerLogger {
  const guard =
    (write: ((message: string, ...meta: unknown[]) => void) | undefined) =>
    (message: string, ...meta: unknown[]): void => {
      try {
        write?.call(logger, message, ...meta);
      } catch {
        // The line is lost; nothing else is.
      }
    };
  return {
    log: guard(logger.log),
    warn: guard(logger.warn),
    error: guard(logger.error),
    debug: logger.debug ? guard(logger.debug) : undefined,
  };
}
