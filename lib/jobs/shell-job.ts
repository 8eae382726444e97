import { spawn, type ChildProcess } from 'node:child_process';
import type { Job, JobContext, JobResult, StoreTask } from '../core/job.js';
import type { Payload } from '../core/payload.js';
import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import { ShellJobFailedError } from './errors/shell-job-failed.error.js';
import { checkByteCount, checkDurationMs, checkKind, DEFAULT_MAX_OUTPUT_BYTES } from './job-options.js';
import { OutputCapture } from './output-capture.js';

/** Options of {@link ShellJob}. */
export interface ShellJobOptions {
  /** The kind it registers as. Default `'shell'`. */
  kind?: string;
  /** A run still going after this many ms is killed and fails (so it is retried). Default 60 000. */
  timeoutMs?: number;
  /** The shell that runs the command as `<shell> -c <command>`. Default `'/bin/sh'`. */
  shell?: string;
  /** The working directory. Default: the process's. */
  cwd?: string;
  /**
   * The command's environment. It replaces the process's environment rather than adding to it
   * (as in `child_process`): to add a variable, pass `{ ...process.env, NAME: 'value' }`.
   * Default: the process's environment.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * How much of stdout is kept as the task's `result`: the first bytes up to this size, followed
   * by a `[truncated: N more bytes]` line when there was more. Default 64 KiB.
   */
  maxOutputBytes?: number;
  /**
   * After a timeout or an abort, how long the command gets to exit on SIGTERM before its whole
   * process group is sent SIGKILL. Default 2 000.
   */
  killGraceMs?: number;
}

/**
 * What a shell task carries: the command as a string, as a `Buffer` of utf8 text, or as
 * `{ command }` (an object leaves room for more fields later).
 */
export type ShellJobPayload = string | Buffer | { command: string };

/** How much of stderr goes into the failure message (its end, where the error usually is). */
const STDERR_TAIL_BYTES = 2048;

/**
 * Runs each task's payload as a shell command: `spawn(shell, ['-c', command])`.
 *
 * **It runs whatever the payload says, with this process's user and rights.** Anyone who can
 * schedule a task of this kind (through your HTTP API, or by writing to the store's table or
 * collection) can run any command on every instance that registers it. Never let untrusted input
 * reach `scheduleJob` for this kind, and register it only on instances meant to run commands.
 *
 * - Success: exit code 0. Stdout (the first `maxOutputBytes`, utf8) becomes the task's `result`.
 * - Failure, retried with the kind's backoff: a non-zero exit code, an end by a signal, a run past
 *   `timeoutMs`, an abort of `ctx.signal`, or a shell that cannot start. It throws a
 *   {@link ShellJobFailedError} whose message holds the exit code (or signal) and the end of stderr.
 * - On timeout or abort the command's whole process group gets SIGTERM, then SIGKILL after
 *   `killGraceMs`; what is left of the group when the shell has exited is sent SIGKILL at once.
 *   The command runs in its own process group (`detached`) for that reason, so a Ctrl-C in the
 *   terminal does not reach it: stopping the scheduler does.
 * - A command that leaves a background process holding its stdout open (`server &`) is not done
 *   until that process closes it; redirect the output of background processes.
 *
 * POSIX only (it kills process groups).
 *
 * @example
 * scheduler.registerJob(new ShellJob({ timeoutMs: 10_000 }), { maxRetries: 3 });
 * await scheduler.scheduleJob('disk-usage', 'shell', { payload: 'df -h /', trigger: '@every 30s' });
 */
export class ShellJob implements Job {
  /** The kind it runs: `'shell'` unless given. */
  readonly kind: string;
  private readonly timeoutMs: number;
  private readonly shell: string;
  private readonly cwd: string | undefined;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly maxOutputBytes: number;
  private readonly killGraceMs: number;

  constructor(options: ShellJobOptions = {}) {
    this.kind = checkKind('ShellJob', options.kind ?? 'shell');
    this.timeoutMs = checkDurationMs('ShellJob timeoutMs', options.timeoutMs ?? 60_000);
    this.shell = options.shell ?? '/bin/sh';
    if (this.shell === '') throw new InvalidArgumentError('ShellJob shell', 'expected the path of a shell');
    this.cwd = options.cwd;
    this.env = options.env;
    this.maxOutputBytes = checkByteCount(
      'ShellJob maxOutputBytes',
      options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    );
    this.killGraceMs = checkDurationMs('ShellJob killGraceMs', options.killGraceMs ?? 2_000, {
      allowZero: true,
    });
  }

  /** Runs the command; resolves with the task, its `result` set to stdout. */
  async execute(task: StoreTask, ctx: JobContext): Promise<JobResult> {
    const stdout = await this.run(commandOf(task.payload), ctx);
    return { ...task, result: stdout };
  }

  private run(command: string, ctx: JobContext): Promise<string> {
    if (ctx.signal.aborted) {
      return Promise.reject(
        new ShellJobFailedError('aborted before it started', {
          exitCode: null,
          signal: null,
          timedOut: false,
          aborted: true,
          stderrTail: '',
        }),
      );
    }
    return new Promise<string>((resolve, reject) => {
      const stdout = new OutputCapture(this.maxOutputBytes, 'head');
      const stderr = new OutputCapture(STDERR_TAIL_BYTES, 'tail');
      let stopping: 'timeout' | 'abort' | null = null;
      let exited = false;
      let settled = false;
      let graceTimer: NodeJS.Timeout | undefined;

      let child: ChildProcess;
      try {
        child = spawn(this.shell, ['-c', command], {
          cwd: this.cwd,
          env: this.env,
          // Its own process group, so that a kill reaches what the command started, not just the shell.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (error) {
        // Arguments spawn refuses outright (a NUL byte in the command or the environment).
        const failure = { exitCode: null, signal: null, timedOut: false, aborted: false, stderrTail: '' };
        const reason = `could not start ${this.shell}: ${(error as Error).message}`;
        return reject(new ShellJobFailedError(reason, failure, { cause: error }));
      }

      const settle = (error: Error | null, output = ''): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeoutTimer);
        clearTimeout(graceTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(output);
      };
      const fail = (reason: string, cause?: unknown): void =>
        settle(
          new ShellJobFailedError(
            reason,
            {
              exitCode: child.exitCode,
              signal: child.signalCode,
              timedOut: stopping === 'timeout',
              aborted: stopping === 'abort',
              stderrTail: stderr.text().trim(),
            },
            cause === undefined ? undefined : { cause },
          ),
        );
      // Once the shell is gone after a kill, nothing waits for the rest of the group: its
      // leftovers get SIGKILL and their pipes are dropped (one that escaped the group could hold
      // them open forever).
      const finishStopped = (): void => {
        killGroup(child.pid, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        fail(
          stopping === 'timeout'
            ? `timed out after ${this.timeoutMs} ms`
            : 'aborted (the scheduler is stopping or lost the lease)',
        );
      };
      const stop = (why: 'timeout' | 'abort'): void => {
        if (settled || stopping) return;
        stopping = why;
        if (exited) return finishStopped();
        killGroup(child.pid, 'SIGTERM');
        graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), this.killGraceMs);
      };
      const onAbort = (): void => stop('abort');
      const timeoutTimer = setTimeout(() => stop('timeout'), this.timeoutMs);
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => {
        // Later errors (a failed kill) change nothing: 'exit' or 'close' still ends the run.
        if (child.pid === undefined) fail(`could not start ${this.shell}: ${error.message}`, error);
      });
      child.on('exit', () => {
        exited = true;
        if (stopping) finishStopped();
      });
      child.on('close', (code, signal) => {
        if (stopping) return finishStopped();
        if (code === 0) return settle(null, withTruncationNote(stdout));
        fail(signal ? `killed by signal ${signal}` : `exit code ${code}`);
      });
    });
  }
}

/** The command a payload holds. */
function commandOf(payload: Payload): string {
  let command: unknown;
  if (typeof payload === 'string') command = payload;
  else if (Buffer.isBuffer(payload)) command = payload.toString('utf8');
  else if (payload !== null && typeof payload === 'object' && !Array.isArray(payload))
    command = payload.command;
  if (typeof command !== 'string') {
    throw new InvalidArgumentError(
      'shell job payload',
      'expected the command as a string, a Buffer of utf8 text, or { command: string }',
    );
  }
  if (command.trim() === '') throw new InvalidArgumentError('shell job payload', 'the command is empty');
  return command;
}

function withTruncationNote(capture: OutputCapture): string {
  const text = capture.text();
  return capture.droppedBytes > 0 ? `${text}\n[truncated: ${capture.droppedBytes} more bytes]` : text;
}

/** Signals a whole process group; a group that is already gone is not an error. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing is left in the group.
  }
}
