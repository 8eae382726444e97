import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What test/e2e/fixtures/worker.mjs reads from its first argument. */
export interface WorkerConfig {
  /** Connection string of the test database. */
  url: string;
  /** The scheduler's instance id (the lease owner recorded in every run). */
  instanceId: string;
  /** Lease length; the engine's default (30 s) when absent. */
  leaseMs?: number;
  /** `hang` jobs wait (until aborted) instead of finishing. */
  hang?: boolean;
  /** Recurring `tick` tasks every instance makes sure of at start-up. */
  recurring?: Array<{ slug: string; trigger: string }>;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What a worker reports on stdout when it stopped gracefully. */
export interface WorkerStopReport {
  event: 'stopped';
  executions: number;
  leaseLost: number;
  storeErrors: number;
  failed: number;
}

/** A running worker process. */
export interface WorkerProcess {
  readonly instanceId: string;
  readonly pid: number | undefined;
  /** Resolves once its loop runs; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when it exited. */
  readonly exited: Promise<WorkerExit>;
  /** Everything it wrote to stderr so far (the engine's warnings and errors). */
  stderr(): string;
  /** Its graceful-stop report, once it sent one. */
  stopReport(): WorkerStopReport | null;
  /** SIGTERM (the scheduler stops gracefully) and wait for the exit. */
  stop(): Promise<WorkerExit>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<WorkerExit>;
}

const WORKER_SCRIPT = fileURLToPath(new URL('../fixtures/worker.mjs', import.meta.url));

const running = new Set<ChildProcess>();

/**
 * Starts test/e2e/fixtures/worker.mjs: a plain Node process on the compiled library, as an
 * application instance would be.
 */
export function startWorker(config: WorkerConfig): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_SCRIPT, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  let report: WorkerStopReport | null = null;
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined); // observed by whoever awaits it; exits are reported through `exited` too
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline = stdout.indexOf('\n');
    while (newline >= 0) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      newline = stdout.indexOf('\n');
      const message = JSON.parse(text) as { event: string };
      if (message.event === 'ready') markReady();
      if (message.event === 'stopped') report = message as WorkerStopReport;
    }
  });
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      failReady(
        new Error(`worker ${config.instanceId} exited (${code ?? signal}) before it was ready:\n${stderr}`),
      );
      resolve({ code, signal });
    });
  });
  return {
    instanceId: config.instanceId,
    pid: child.pid,
    ready,
    exited,
    stderr: () => stderr,
    stopReport: () => report,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** SIGKILLs every worker still running (an `afterAll` safety net when a test failed half-way). */
export async function killAllWorkers(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
