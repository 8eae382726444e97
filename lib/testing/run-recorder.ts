import type { Scheduler } from '../core/scheduler.types.js';

/** One run, as the engine's `job.succeeded` / `job.failed` events told it. */
export interface RecordedRun {
  slug: string;
  kind: string;
  /** When the run was due (the task's `runAt` when it was claimed). */
  scheduledAt: Date;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** 1 for the first attempt of a fire, 2 for its first retry, … */
  attempt: number;
  outcome: 'succeeded' | 'failed';
  /** The error message of a failed run, else `null`. */
  error: string | null;
  instanceId: string;
}

/** Records every run of a scheduler, in the order runs end. */
export class RunRecorder {
  /** Every run seen so far, oldest first. */
  readonly runs: RecordedRun[] = [];
  private readonly unsubscribers: Array<() => void>;

  constructor(scheduler: Pick<Scheduler, 'on'>) {
    this.unsubscribers = [
      scheduler.on('job.succeeded', (event) => {
        this.runs.push({
          slug: event.slug,
          kind: event.kind,
          scheduledAt: event.scheduledAt,
          startedAt: event.startedAt,
          finishedAt: event.finishedAt,
          durationMs: event.durationMs,
          attempt: event.attempt,
          outcome: 'succeeded',
          error: null,
          instanceId: event.instanceId,
        });
      }),
      scheduler.on('job.failed', (event) => {
        this.runs.push({
          slug: event.slug,
          kind: event.kind,
          scheduledAt: event.scheduledAt,
          startedAt: event.startedAt,
          finishedAt: event.finishedAt,
          durationMs: event.durationMs,
          attempt: event.attempt,
          outcome: 'failed',
          error: event.error,
          instanceId: event.instanceId,
        });
      }),
    ];
  }

  /** The runs of one task. */
  runsOf(slug: string): RecordedRun[] {
    return this.runs.filter((run) => run.slug === slug);
  }

  /** The runs of one kind. */
  runsOfKind(kind: string): RecordedRun[] {
    return this.runs.filter((run) => run.kind === kind);
  }

  /** Forgets the runs seen so far. */
  clear(): void {
    this.runs.length = 0;
  }

  /** Stops recording. */
  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }
}
