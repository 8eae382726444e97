import { performance } from 'node:perf_hooks';
import { JobNotFoundError } from '../../core/errors/job-not-found.error.js';
import { errorMessage } from '../../core/error-text.js';
import type { Scheduler, SchedulerHealth } from '../../core/scheduler.types.js';

/** Options of {@link checkSchedulerHealth} and of `SchedulerHealthIndicator.isHealthy`. */
export interface SchedulerHealthCheckOptions {
  /**
   * Longest acceptable time since the loop's last successful store call, in ms. Default 60 000. It
   * must exceed the loop's idle poll interval: `heartbeat` (1 s by default), or `wakeupHeartbeat`
   * (10 × `heartbeat`) on a store that pushes wake-ups, as PostgreSQL does.
   */
  maxPollAgeMs?: number;
  /** How long the store probe may take before the store counts as unreachable, in ms. Default 3 000. */
  storeTimeoutMs?: number;
  /**
   * Whether a loop that is not running is a failure. Default `true`; set `false` on instances that
   * only schedule work and never start the loop (`autoStart: false`).
   */
  requireRunning?: boolean;
  /**
   * Longest acceptable run of one job on this instance, in ms: a job that never settles holds its
   * slot (and, without `timeoutMs`, its lease). Default: not checked.
   */
  maxRunningAgeMs?: number;
  /**
   * Longest acceptable wait of a run's outcome for its write to the store, in ms: outcomes that
   * cannot be written hold their slots and leases. Default 60 000.
   */
  maxPendingOutcomeAgeMs?: number;
}

/** What {@link checkSchedulerHealth} found. */
export interface SchedulerHealthReport {
  /** No problem found. */
  healthy: boolean;
  /** What is wrong, one sentence each; empty when healthy. */
  problems: string[];
  /** The store answered the probe within `storeTimeoutMs`. */
  storeReachable: boolean;
  /** How long the probe took (wall time), or `null` when it failed or timed out. */
  storeLatencyMs: number | null;
  /** Why the probe failed, or `null`. */
  storeError: string | null;
  /** The loop's own view (`scheduler.health()`). */
  loop: SchedulerHealth;
}

/** Default of {@link SchedulerHealthCheckOptions.maxPollAgeMs}. */
export const DEFAULT_MAX_POLL_AGE_MS = 60_000;
/** Default of {@link SchedulerHealthCheckOptions.maxPendingOutcomeAgeMs}. */
export const DEFAULT_MAX_PENDING_OUTCOME_AGE_MS = 60_000;
/** Default of {@link SchedulerHealthCheckOptions.storeTimeoutMs}. */
export const DEFAULT_STORE_TIMEOUT_MS = 3_000;

/**
 * The slug the store probe reads: a point read by key is the cheapest call every store has. Read
 * through the scheduler, so that a store not yet initialised (tables, migrations) is initialised
 * first, and a store that cannot be counts as unreachable.
 */
const PROBE_SLUG = 'nestjs-durable-scheduler-health-probe';

/**
 * Checks a scheduler for a readiness or liveness probe, without any framework:
 * - the store is reachable: a point read of one task answers within `storeTimeoutMs`;
 * - the loop runs (unless `requireRunning: false`);
 * - the loop's last successful store call is at most `maxPollAgeMs` old. That age is judged only
 *   when the loop has something to poll for (kinds registered here) and no job of its own in
 *   flight: a loop whose every slot is busy with long jobs does not poll, and is not stuck.
 *
 * ```ts
 * const report = await checkSchedulerHealth(scheduler, { maxPollAgeMs: 30_000 });
 * if (!report.healthy) console.error(report.problems.join('; '));
 * ```
 */
export async function checkSchedulerHealth(
  scheduler: Pick<Scheduler, 'health' | 'getScheduledJob'>,
  options: SchedulerHealthCheckOptions = {},
): Promise<SchedulerHealthReport> {
  const maxPollAgeMs = options.maxPollAgeMs ?? DEFAULT_MAX_POLL_AGE_MS;
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const requireRunning = options.requireRunning ?? true;
  const maxPendingOutcomeAgeMs = options.maxPendingOutcomeAgeMs ?? DEFAULT_MAX_PENDING_OUTCOME_AGE_MS;

  const probe = await probeStore(scheduler, storeTimeoutMs);
  const loop = scheduler.health();
  const problems: string[] = [];
  if (probe.error !== null) problems.push(`store unreachable: ${probe.error}`);
  if (requireRunning && !loop.running) problems.push('the scheduler loop is not running');
  if (loop.running && loop.kinds.length > 0 && loop.inFlight === 0) {
    if (loop.lastPollAgeMs === null) {
      if (loop.consecutiveStoreErrors > 0) {
        problems.push(`the loop has not polled the store yet: ${loop.lastStoreError ?? 'store errors'}`);
      }
    } else if (loop.lastPollAgeMs > maxPollAgeMs) {
      problems.push(
        `the loop's last successful poll was ${loop.lastPollAgeMs} ms ago (more than ${maxPollAgeMs} ms)` +
          (loop.lastStoreError ? `: ${loop.lastStoreError}` : ''),
      );
    }
  }
  if (
    options.maxRunningAgeMs !== undefined &&
    loop.oldestRunningMs !== null &&
    loop.oldestRunningMs > options.maxRunningAgeMs
  ) {
    problems.push(
      `a job has been running for ${loop.oldestRunningMs} ms (more than ${options.maxRunningAgeMs} ms)`,
    );
  }
  if (loop.oldestPendingOutcomeMs !== null && loop.oldestPendingOutcomeMs > maxPendingOutcomeAgeMs) {
    problems.push(
      `${loop.pendingOutcomes} run outcome(s) have waited ${loop.oldestPendingOutcomeMs} ms to be written (more than ${maxPendingOutcomeAgeMs} ms)` +
        (loop.lastOutcomeWriteError ? `: ${loop.lastOutcomeWriteError}` : ''),
    );
  }
  return {
    healthy: problems.length === 0,
    problems,
    storeReachable: probe.error === null,
    storeLatencyMs: probe.latencyMs,
    storeError: probe.error,
    loop,
  };
}

async function probeStore(
  scheduler: Pick<Scheduler, 'getScheduledJob'>,
  timeoutMs: number,
): Promise<{ latencyMs: number | null; error: string | null }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const read = scheduler.getScheduledJob(PROBE_SLUG).then(
      () => 'ok' as const,
      (error: unknown) => {
        if (error instanceof JobNotFoundError) return 'ok' as const;
        throw error;
      },
    );
    const answer = await Promise.race([read, timedOut]);
    if (answer === 'timeout') return { latencyMs: null, error: `no answer within ${timeoutMs} ms` };
    return { latencyMs: Math.round(performance.now() - started), error: null };
  } catch (error) {
    return { latencyMs: null, error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}
