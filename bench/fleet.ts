/**
 * Starts K worker processes (bench/worker.ts compiled, or a peer's worker: peers/peer-worker.ts),
 * waits until each is ready, and drives them: `go`, progress, CPU marks, `stop` and their reports.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { wallClock, type FromWorker, type HostConfig, type ToWorker, type WorkerReport } from './protocol.js';

/** Our worker (a `StdScheduler` on a `PostgresStore`). */
export const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Member {
  child: ChildProcess;
  executed: number;
  lastAt: number | null;
  exited: boolean;
  waiters: Array<{ type: FromWorker['type']; resolve: (message: FromWorker) => void }>;
}

/** K workers on one bench database. */
export class Fleet {
  private readonly members: Member[] = [];
  private failure: Error | null = null;
  private progressListeners = new Set<() => void>();

  private constructor() {}

  /**
   * Forks `k` workers of `script` (ours by default) and resolves when every one of them is ready
   * (connected, migrated, listening: only `go` is left).
   */
  static async start<C extends HostConfig>(
    k: number,
    config: C,
    execArgv: string[] = [],
    script: string = WORKER_SCRIPT,
  ): Promise<Fleet> {
    const fleet = new Fleet();
    for (let i = 0; i < k; i++) fleet.members.push(fleet.spawn(execArgv, script));
    try {
      await Promise.all(fleet.members.map((m) => fleet.request(m, { type: 'init', config }, 'ready')));
    } catch (error) {
      await fleet.kill();
      throw error;
    }
    return fleet;
  }

  /** Starts every worker's scheduler; returns the wall time just before the first `go` was sent. */
  go(): number {
    const at = wallClock();
    for (const member of this.members) this.post(member, { type: 'go' });
    return at;
  }

  /** Executions reported so far, summed over the workers. */
  get executed(): number {
    return this.members.reduce((sum, m) => sum + m.executed, 0);
  }

  /** Resolves once the workers together report `count` executions; rejects after `timeoutMs`. */
  async waitForExecuted(count: number, timeoutMs: number): Promise<void> {
    if (!(await this.reached(count, timeoutMs))) {
      throw new Error(`timed out after ${timeoutMs} ms with ${this.executed}/${count} executions`);
    }
  }

  /**
   * Resolves true once the workers together report `count` executions, false if `timeoutMs` passes
   * first; rejects if a worker fails.
   */
  reached(count: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.failure) finish(this.failure);
        else if (this.executed >= count) finish(true);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      const finish = (outcome: Error | boolean): void => {
        clearTimeout(timer);
        this.progressListeners.delete(check);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.progressListeners.add(check);
      check();
    });
  }

  /** CPU time (user + system, ms) each worker has used so far. */
  async cpuMs(): Promise<number[]> {
    const replies = await Promise.all(this.members.map((m) => this.request(m, { type: 'cpu' }, 'cpu')));
    return replies.map((r) => (r.type === 'cpu' ? (r.user + r.system) / 1000 : 0));
  }

  /**
   * Graceful stop of every worker; their reports. A worker that has not reported within `timeoutMs`
   * (a peer stuck in a statement) is killed, and its report is an empty one marked `killed`.
   */
  async stop(timeoutMs = 60_000): Promise<WorkerReport[]> {
    const replies = await Promise.all(
      this.members.map((m) =>
        Promise.race([
          this.request(m, { type: 'stop' }, 'report'),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref()),
        ]),
      ),
    );
    const reports = replies.map((r, i) => {
      if (r !== null) return (r as Extract<FromWorker, { type: 'report' }>).report;
      const member = this.members[i];
      process.stderr.write(
        `[bench] worker ${member.child.pid} did not stop within ${timeoutMs} ms: killed\n`,
      );
      member.child.kill('SIGKILL');
      return emptyReport(member.child.pid ?? 0, member.executed);
    });
    await Promise.all(this.members.map((m) => this.exited(m, 15_000)));
    return reports;
  }

  /** Kills whatever is still running (after a failure). */
  async kill(): Promise<void> {
    for (const member of this.members) if (!member.exited) member.child.kill('SIGKILL');
    await Promise.all(this.members.map((m) => this.exited(m, 5_000)));
  }

  private spawn(execArgv: string[], script: string): Member {
    const child = fork(script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv,
    });
    const member: Member = { child, executed: 0, lastAt: null, exited: false, waiters: [] };
    child.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        member.executed = message.executed;
        member.lastAt = message.lastAt;
        for (const listener of [...this.progressListeners]) listener();
        return;
      }
      if (message.type === 'fatal') {
        this.fail(new Error(`worker ${child.pid} failed: ${message.message}`));
        return;
      }
      const index = member.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) member.waiters.splice(index, 1)[0].resolve(message);
    });
    // 'close' (not 'exit'): it comes after the last IPC message has been delivered.
    child.on('close', (code, signal) => {
      member.exited = true;
      if (member.waiters.length > 0) {
        this.fail(new Error(`worker ${child.pid} exited (${signal ?? code}) while the runner waited for it`));
      }
    });
    return member;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const member of this.members) {
      for (const waiter of member.waiters.splice(0))
        waiter.resolve({ type: 'fatal', message: error.message });
    }
    for (const listener of [...this.progressListeners]) listener();
  }

  private post<C extends HostConfig>(member: Member, message: ToWorker<C>): void {
    if (!member.exited) member.child.send(message);
  }

  private async request<C extends HostConfig>(
    member: Member,
    message: ToWorker<C>,
    reply: FromWorker['type'],
  ): Promise<FromWorker> {
    if (this.failure) throw this.failure;
    const answer = new Promise<FromWorker>((resolve) => member.waiters.push({ type: reply, resolve }));
    this.post(member, message);
    const result = await answer;
    if (result.type === 'fatal') throw this.failure ?? new Error(result.message);
    return result;
  }

  private exited(member: Member, timeoutMs: number): Promise<void> {
    if (member.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        member.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
      member.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The report of a worker that was killed before it could send its own (what ran there is lost). */
function emptyReport(pid: number, executed: number): WorkerReport {
  return {
    pid,
    executed,
    firstAt: null,
    lastAt: null,
    ids: new Int32Array(0),
    fireAt: new Float64Array(0),
    startAt: new Float64Array(0),
    samples: [],
    trace: new Float64Array(0),
    cpu: { user: 0, system: 0 },
    stopMs: Number.NaN,
    killed: true,
  };
}
