/**
 * The sample app as a user starts it, in real time and as child processes: `npm start` (which builds
 * build/ when its sources changed, so the first start here may compile for a while), the README's
 * curl walkthrough pasted in order against it, a graceful stop on SIGTERM (npm and the app exit 0,
 * no process is left behind), a start on PostgreSQL and on the Firestore emulator, and a store
 * that cannot be reached at boot (exit code 1 and a message that says which and what to do).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { usePostgresDatabase } from '../test/support/postgres.js';

const root = join(import.meta.dirname, '..');
/** The README's walkthrough talks to the app at this address; the test's app listens elsewhere. */
const README_BASE_URL = 'http://127.0.0.1:3000';

/** A child process of this test, with everything it printed so far. */
interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (or rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(command, args, { cwd: root, env: { ...env, NO_COLOR: '1' } });
  let output = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (!match) return;
          waiters.delete(check);
          resolve(match);
        };
        waiters.add(check);
        check();
        void exited.then(({ code, signal }) => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          reject(new Error(`exited (${signal ?? code}) before printing ${pattern}:\n${output}`));
        });
      }),
  };
}

/** The environment of a sample app child: this one's, minus the store choice. */
function appEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  delete env.SCHEDULER_STORE;
  delete env.STORE_CONNECT_TIMEOUT_MS;
  return { ...env, ...extra };
}

/** `npm start`, through the npm that runs this test when there is one. */
function npmStart(env: NodeJS.ProcessEnv): RunningProcess {
  const npm = process.env.npm_execpath;
  return npm ? run(process.execPath, [npm, 'start'], env) : run('npm', ['start'], env);
}

/** The start script itself (what `npm start` execs). */
function startScript(env: NodeJS.ProcessEnv): RunningProcess {
  return run(process.execPath, ['sample-app/start.js'], env);
}

/** The URL and pid the app prints once it listens. */
async function listening(app: RunningProcess): Promise<{ url: string; pid: number }> {
  const [, url, pid] = await app.waitFor(/Listening on (http:\/\/\S+) \(store: \w+, pid (\d+)\)/);
  return { url: url!, pid: Number(pid) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A local port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The README's fenced bash block of the walkthrough (the one that uses the console API). */
function readmeWalkthrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  const walkthrough = blocks.filter((block) => block.includes('/scheduler/api/csrf'));
  if (walkthrough.length !== 1)
    throw new Error(`expected one walkthrough block in README.md, found ${walkthrough.length}`);
  return walkthrough[0]!;
}

describe('npm start', () => {
  let app: RunningProcess | undefined;
  let url = '';
  let pid = 0;

  beforeAll(async () => {
    app = npmStart(appEnv());
    ({ url, pid } = await listening(app));
  }, 300_000);

  afterAll(() => {
    // Only if a test failed before stopping it.
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('answers every command of the README walkthrough, pasted in order, with a 2xx', async () => {
    const block = readmeWalkthrough();
    const invocations = block.match(/(^|\$\()\s*curl\s/gm) ?? [];
    expect(invocations.length).toBeGreaterThan(10);
    // The reader's directory, where the walkthrough leaves its cookie jar.
    const workdir = join(root, '.tmp', 'readme-walkthrough');
    rmSync(workdir, { recursive: true, force: true });
    mkdirSync(workdir, { recursive: true });
    // Every curl reports its status on stderr; stdout stays what the reader sees (and what the TOKEN
    // line pipes into sed). Each waits half a second first, as a reader running the commands one by
    // one would: a walkthrough whose task is gone by the time its command comes (a short delay)
    // fails here rather than for the reader.
    const script = [
      'set -euo pipefail',
      `curl() { sleep 0.5; command curl --silent --show-error --write-out '%{stderr}HTTP %{http_code} %{method} %{url_effective}\\n' "$@"; }`,
      block.replaceAll(README_BASE_URL, url),
    ].join('\n');
    const shell = spawn('bash', ['-c', script], { cwd: workdir });
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => shell.on('exit', resolve));

    const answers = [...stderr.matchAll(/^HTTP (\d{3}) (\S+) (\S+)$/gm)].map(
      ([, status, method, target]) => ({
        status: Number(status),
        request: `${method} ${target!.replace(url, '')}`,
      }),
    );
    expect({ code, stderr: stderr.replace(/^HTTP .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(answers).toHaveLength(invocations.length);
    expect(answers.filter((answer) => answer.status < 200 || answer.status > 299)).toEqual([]);
    expect(answers.map((answer) => answer.request)).toEqual(
      expect.arrayContaining([
        'POST /transactions/9bfadfd6/reserve',
        'POST /scheduler/api/tasks/cancel-tx-9bfadfd6/run',
        'DELETE /scheduler/api/tasks/cancel-tx-5c0ffee1',
      ]),
    );
    expect(stdout).toContain('"slug":"cancel-tx-9bfadfd6"');

    // What the walkthrough did: the paid transaction's cancellation is gone, the heartbeat runs
    // again, and the cancellation that was run now shows its run in the history.
    expect((await fetch(`${url}/scheduler/api/tasks/cancel-tx-5c0ffee1`)).status).toBe(404);
    expect(await (await fetch(`${url}/scheduler/api/tasks/heartbeat`)).json()).toMatchObject({
      paused: false,
    });
    await app!.waitFor(/cancelling transaction 9bfadfd6 \(attempt 1\)/);
    const history = (await (await fetch(`${url}/scheduler/api/tasks/cancel-tx-9bfadfd6/history`)).json()) as {
      items: Array<{ outcome: string }>;
    };
    expect(history.items.map((record) => record.outcome)).toEqual(['succeeded']);
  });

  it('stops on SIGTERM to npm: the app stops gracefully, npm exits 0, nothing is left running', async () => {
    expect(isAlive(pid)).toBe(true);
    app!.child.kill('SIGTERM');
    expect(await app!.exited).toEqual({ code: 0, signal: null });
    expect(app!.output()).toMatch(/Scheduler \S+ stopped/);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('the sample app on a shared store', () => {
  const db = usePostgresDatabase();

  it.each([
    ['postgres', (): NodeJS.ProcessEnv => ({ SCHEDULER_STORE: 'postgres', PG_URL: db.url })],
    [
      'firestore',
      (): NodeJS.ProcessEnv => ({
        SCHEDULER_STORE: 'firestore',
        FIRESTORE_PROJECT_ID: `demo-sample-app-${randomBytes(4).toString('hex')}`,
      }),
    ],
  ])(
    'starts on %s, reports it healthy, and exits 0 on SIGTERM',
    async (store, env) => {
      const started = startScript(appEnv(env()));
      const { url } = await listening(started);
      expect(started.output()).toContain(`(store: ${store}, pid`);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        info: { scheduler: { status: 'up', storeReachable: true } },
      });
      started.child.kill('SIGTERM');
      expect(await started.exited).toEqual({ code: 0, signal: null });
    },
    120_000,
  );

  it.each([
    [
      'firestore',
      async (): Promise<NodeJS.ProcessEnv> => ({
        SCHEDULER_STORE: 'firestore',
        FIRESTORE_EMULATOR_HOST: `127.0.0.1:${await closedPort()}`,
      }),
      /Could not start: Cannot reach the Firestore emulator at 127\.0\.0\.1:\d+ \(FIRESTORE_EMULATOR_HOST, project sample-app\) within 2000 ms: no answer\. Start it with `npm run emulator`/,
    ],
    [
      'postgres',
      async (): Promise<NodeJS.ProcessEnv> => ({
        SCHEDULER_STORE: 'postgres',
        PG_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/app`,
      }),
      /Could not start: Cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/app within 2000 ms: connect ECONNREFUSED .* Is the server up\?/,
    ],
  ])(
    'stops with exit code 1 and says why when %s cannot be reached at boot',
    async (_store, env, message) => {
      const started = startScript(appEnv({ ...(await env()), STORE_CONNECT_TIMEOUT_MS: '2000' }));
      expect(await started.exited).toEqual({ code: 1, signal: null });
      expect(started.output()).toMatch(message);
      expect(started.output()).not.toContain('Listening on');
    },
    120_000,
  );
});
