/**
 * Starts and stops the worker processes of the fault suite (test/fault/fixtures/fault-worker.mjs),
 * after test/e2e/support/worker-process.ts, which starts the e2e worker: the same ready protocol on
 * stdout, plus `--unhandled-rejections=strict`, a journal file, and the store's address in the config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What fault-worker.mjs reads from its first argument. */
export interface FaultWorkerConfig {
  store: 'postgres' | 'firestore';
  instanceId: string;
  /** The JSON-lines file it appends its records to. */
  journal: string;
  leaseMs: number;
  heartbeat: number;
  stopTimeoutMs: number;
  timing: { backoffMs: number; timeoutMs: number; laterMs: number };
  postgres?: { url: string; tableName: string };
  firestore?: { projectId: string; collection: string };
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FaultWorker {
  readonly instanceId: string;
  readonly ready: Promise<void>;
  readonly exited: Promise<WorkerExit>;
  /** Whether it has exited. */
  readonly alive: boolean;
  stderr(): string;
  /** SIGTERM; resolves with the exit, or null if it has not exited within `boundMs`. */
  stop(boundMs: number): Promise<WorkerExit | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<WorkerExit>;
}

const SCRIPT = fileURLToPath(new URL('../fixtures/fault-worker.mjs', import.meta.url));
const running = new Set<ChildProcess>();

export function startFaultWorker(config: FaultWorkerConfig, env: NodeJS.ProcessEnv = {}): FaultWorker {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', SCRIPT, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  let alive = true;
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('"event":"ready"')) markReady();
  });
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      running.delete(child);
      failReady(
        new Error(`worker ${config.instanceId} exited (${code ?? signal}) before it was ready:\n${stderr}`),
      );
      resolve({ code, signal });
    });
  });
  return {
    instanceId: config.instanceId,
    ready,
    exited,
    get alive() {
      return alive;
    },
    stderr: () => stderr,
    stop: async (boundMs) => {
      if (!alive) return exited;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), boundMs)));
      const exit = await Promise.race([exited, bound]);
      clearTimeout(timer);
      return exit;
    },
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** SIGKILLs every worker still running (the safety net of `afterAll`). */
export async function killAllFaultWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
