import type { Scheduler } from '../core/scheduler.types.js';

/**
 * What the scheduler's metrics measure from its events, whatever the metrics library: the
 * Prometheus metrics (`./prometheus`) and the OpenTelemetry ones (`./otel`) are two sinks of the
 * same measurements, so that they always agree.
 */
export interface SchedulerMeasurements {
  /** A run started `seconds` after it was due (0 when on time). */
  lateness(kind: string, seconds: number): void;
  /** A run ended, after `seconds`. */
  executed(kind: string, outcome: 'succeeded' | 'failed', seconds: number): void;
  /** A failed run will be retried. */
  retrying(kind: string): void;
  /** A fire gave up after `maxRetries`. */
  dead(kind: string): void;
  /** A recurring task was found to have missed fires. */
  misfired(kind: string): void;
  /** This instance lost a lease. */
  leaseLost(kind: string): void;
  /** A store call of the loop failed. */
  storeError(operation: string): void;
}

/** Feeds a scheduler's events to `sink`; returns the function that stops it. */
export function followScheduler(scheduler: Pick<Scheduler, 'on'>, sink: SchedulerMeasurements): () => void {
  const unsubscribers = [
    scheduler.on('job.started', (event) => {
      const late = event.startedAt.getTime() - event.scheduledAt.getTime();
      sink.lateness(event.kind, Math.max(0, late) / 1000);
    }),
    scheduler.on('job.succeeded', (event) => sink.executed(event.kind, 'succeeded', event.durationMs / 1000)),
    scheduler.on('job.failed', (event) => sink.executed(event.kind, 'failed', event.durationMs / 1000)),
    scheduler.on('job.retrying', (event) => sink.retrying(event.kind)),
    scheduler.on('job.dead', (event) => sink.dead(event.kind)),
    scheduler.on('job.misfired', (event) => sink.misfired(event.kind)),
    scheduler.on('lease.lost', (event) => sink.leaseLost(event.kind)),
    scheduler.on('store.error', (event) => sink.storeError(event.operation)),
  ];
  return () => {
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
  };
}
