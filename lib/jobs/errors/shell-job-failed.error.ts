import { jobMessages as messages } from './messages.js';
import { SchedulerError } from '../../core/errors/scheduler.error.js';

/** How a shell job's command ended when it did not succeed. */
export interface ShellJobFailure {
  /** The shell's exit code, or `null` when it was killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the shell (`'SIGTERM'`, `'SIGKILL'`, …), or `null`. */
  signal: NodeJS.Signals | null;
  /** `true` when the job killed the command because it ran past its `timeoutMs`. */
  timedOut: boolean;
  /** `true` when the job killed the command because its `ctx.signal` aborted. */
  aborted: boolean;
  /** The last bytes the command wrote to stderr (utf8). */
  stderrTail: string;
}

/**
 * Thrown by `ShellJob` when its command exits with a non-zero code, is ended by a signal, runs past
 * its timeout, is aborted, or cannot be started. The scheduler treats it like any failure: it
 * retries the task after a backoff and stores the message as the task's `result`.
 */
export class ShellJobFailedError extends SchedulerError implements ShellJobFailure {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly stderrTail: string;

  constructor(
    /** What went wrong, in words (`'exit code 3'`, `'timed out after 500 ms'`, …). */
    public readonly reason: string,
    failure: ShellJobFailure,
    options?: ErrorOptions,
  ) {
    super(messages.shellJobFailed(reason, failure.stderrTail), options);
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.timedOut = failure.timedOut;
    this.aborted = failure.aborted;
    this.stderrTail = failure.stderrTail;
  }
}
