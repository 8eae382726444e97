import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShellJob } from '../../lib/jobs/shell-job.js';
import { InvalidArgumentError } from '../../lib/core/errors/invalid-argument.error.js';
import { ShellJobFailedError } from '../../lib/jobs/errors/shell-job-failed.error.js';
import { makeContext, makeTask } from './job-test-kit.js';

/** Polls until the condition holds; a bounded wait for a process to act, not a timing assertion. */
async function waitUntil(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a process still runs. A zombie (dead, not yet reaped by init) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A command whose real work is a grandchild (`sleep`, started in the background): killing only the
 * shell would leave it running, so it shows whether the whole process group is killed. The marker
 * file would be written only if the command ran to its end.
 */
function longCommand(dir: string, { ignoreTerm = false } = {}): string {
  const pidFile = join(dir, 'sleep.pid');
  const marker = join(dir, 'finished');
  return `${ignoreTerm ? "trap '' TERM; " : ''}sleep 30 & echo $! > '${pidFile}'; wait; echo x > '${marker}'`;
}

describe('ShellJob', () => {
  let dir: string;
  const started: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shell-job-'));
  });

  afterEach(() => {
    // If an assertion failed before a child was reaped, don't leave a sleeper behind.
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function sleeperPid(): Promise<number> {
    const pidFile = join(dir, 'sleep.pid');
    await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the pid file');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    started.push(pid);
    return pid;
  }

  it("has the kind 'shell' unless told otherwise", () => {
    expect(new ShellJob().kind).toBe('shell');
    expect(new ShellJob({ kind: 'ops' }).kind).toBe('ops');
  });

  it('refuses options a timer or a buffer cannot honour', () => {
    expect(() => new ShellJob({ timeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new ShellJob({ timeoutMs: 2 ** 31 })).toThrow(InvalidArgumentError);
    expect(() => new ShellJob({ timeoutMs: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new ShellJob({ maxOutputBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => new ShellJob({ killGraceMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new ShellJob({ kind: '' })).toThrow(InvalidArgumentError);
  });

  it('returns the task with stdout as its result', async () => {
    const { ctx } = makeContext();
    const task = makeTask('shell', "printf 'hello\\nworld'; echo ignored >&2");
    const outcome = await new ShellJob().execute(task, ctx);
    expect(outcome).toEqual({ ...task, result: 'hello\nworld' });
  });

  it('takes the command as a string, a Buffer of utf8 text, or { command }', async () => {
    const { ctx } = makeContext();
    const job = new ShellJob();
    const results: Array<string | null | undefined> = [];
    for (const payload of ['echo one', Buffer.from('echo "twö"', 'utf8'), { command: 'echo three' }]) {
      results.push((await job.execute(makeTask('shell', payload), ctx))?.result);
    }
    expect(results).toEqual(['one\n', 'twö\n', 'three\n']);
  });

  it('refuses a payload that holds no command', async () => {
    const { ctx } = makeContext();
    const job = new ShellJob();
    for (const payload of [42, null, ['echo'], { cmd: 'echo' }, '   ']) {
      await expect(job.execute(makeTask('shell', payload), ctx)).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('fails on a non-zero exit, with the exit code and the end of stderr in the message', async () => {
    const { ctx } = makeContext();
    const error = await new ShellJob()
      .execute(makeTask('shell', 'echo partial; echo "disk full" >&2; exit 3'), ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShellJobFailedError);
    const failure = error as ShellJobFailedError;
    expect(failure.exitCode).toBe(3);
    expect(failure.signal).toBeNull();
    expect(failure.timedOut).toBe(false);
    expect(failure.message).toBe('Shell job failed: exit code 3; stderr: disk full');
  });

  it('keeps only the end of a long stderr', async () => {
    const { ctx } = makeContext();
    const error = (await new ShellJob()
      .execute(makeTask('shell', "head -c 10000 /dev/zero | tr '\\0' a >&2; echo THE-END >&2; exit 1"), ctx)
      .catch((e: unknown) => e)) as ShellJobFailedError;
    expect(error.stderrTail.endsWith('THE-END')).toBe(true);
    expect(error.stderrTail.length).toBeLessThanOrEqual(2048);
  });

  it('fails when the command is ended by a signal', async () => {
    const { ctx } = makeContext();
    const error = (await new ShellJob()
      .execute(makeTask('shell', 'kill -KILL $$'), ctx)
      .catch((e: unknown) => e)) as ShellJobFailedError;
    expect(error).toBeInstanceOf(ShellJobFailedError);
    expect(error.signal).toBe('SIGKILL');
    expect(error.message).toContain('killed by signal SIGKILL');
  });

  it('fails past its timeout and kills the whole process group', async () => {
    const { ctx } = makeContext();
    const run = new ShellJob({ timeoutMs: 1_500 }).execute(makeTask('shell', longCommand(dir)), ctx);
    const caught = run.catch((e: unknown) => e);
    const pid = await sleeperPid();
    const error = (await caught) as ShellJobFailedError;
    expect(error).toBeInstanceOf(ShellJobFailedError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toContain('timed out after 1500 ms');
    await waitUntil(() => !isRunning(pid), `the background sleep (pid ${pid}) to die`);
    expect(existsSync(join(dir, 'finished'))).toBe(false);
  });

  it('is killed, with what it started, when ctx.signal aborts', async () => {
    const { ctx, controller } = makeContext();
    const caught = new ShellJob().execute(makeTask('shell', longCommand(dir)), ctx).catch((e: unknown) => e);
    const pid = await sleeperPid();
    expect(isRunning(pid)).toBe(true);
    controller.abort();
    const error = (await caught) as ShellJobFailedError;
    expect(error).toBeInstanceOf(ShellJobFailedError);
    expect(error.aborted).toBe(true);
    expect(error.message).toContain('aborted');
    await waitUntil(() => !isRunning(pid), `the background sleep (pid ${pid}) to die`);
    expect(existsSync(join(dir, 'finished'))).toBe(false);
  });

  it('sends SIGKILL after the grace period to a command that ignores SIGTERM', async () => {
    const { ctx } = makeContext();
    const job = new ShellJob({ timeoutMs: 1_000, killGraceMs: 200 });
    const caught = job
      .execute(makeTask('shell', longCommand(dir, { ignoreTerm: true })), ctx)
      .catch((e) => e);
    const pid = await sleeperPid();
    const error = (await caught) as ShellJobFailedError;
    expect(error.timedOut).toBe(true);
    expect(error.signal).toBe('SIGKILL');
    await waitUntil(() => !isRunning(pid), `the background sleep (pid ${pid}) to die`);
  });

  it('does not start at all when ctx.signal has already aborted', async () => {
    const { ctx, controller } = makeContext();
    controller.abort();
    const marker = join(dir, 'ran');
    const error = (await new ShellJob()
      .execute(makeTask('shell', `echo x > '${marker}'`), ctx)
      .catch((e: unknown) => e)) as ShellJobFailedError;
    expect(error.aborted).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps at most maxOutputBytes of stdout and says how much it dropped', async () => {
    const { ctx } = makeContext();
    const outcome = await new ShellJob({ maxOutputBytes: 1000 }).execute(
      makeTask('shell', "head -c 5000 /dev/zero | tr '\\0' a"),
      ctx,
    );
    expect(outcome?.result).toBe(`${'a'.repeat(1000)}\n[truncated: 4000 more bytes]`);
  });

  it('runs in the given directory with the given environment (which replaces the process one)', async () => {
    const { ctx } = makeContext();
    process.env.SHELL_JOB_SPEC_LEAK = 'leaked';
    try {
      const job = new ShellJob({ cwd: dir, env: { GREETING: 'hi' } });
      const outcome = await job.execute(
        makeTask('shell', 'printf "%s|%s|%s" "$(pwd)" "$GREETING" "${SHELL_JOB_SPEC_LEAK:-}"'),
        ctx,
      );
      expect(outcome?.result).toBe(`${realpathSync(dir)}|hi|`);
    } finally {
      delete process.env.SHELL_JOB_SPEC_LEAK;
    }
  });

  it('fails when spawn refuses the command outright', async () => {
    const { ctx } = makeContext();
    const error = (await new ShellJob()
      .execute(makeTask('shell', 'echo a\u0000b'), ctx)
      .catch((e: unknown) => e)) as ShellJobFailedError;
    expect(error).toBeInstanceOf(ShellJobFailedError);
    expect(error.message).toContain('could not start');
  });

  it('fails when its shell cannot be started', async () => {
    const { ctx } = makeContext();
    const error = (await new ShellJob({ shell: join(dir, 'no-such-shell') })
      .execute(makeTask('shell', 'echo hi'), ctx)
      .catch((e: unknown) => e)) as ShellJobFailedError;
    expect(error).toBeInstanceOf(ShellJobFailedError);
    expect(error.message).toContain('could not start');
  });
});
