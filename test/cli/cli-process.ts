/**
 * Runs the built command line (`dist/cli/main.js`, the package's `bin`, built by the global setup) as
 * a child process, as a deploy script or an operator runs it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
/** The script the package's `bin` names. */
export const CLI_SCRIPT = join(root, manifest.bin['nestjs-durable-scheduler']!);

/** What a run of the command printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `nestjs-durable-scheduler <args>`. The environment is the test's (with the emulator's host)
 * minus `DATABASE_URL`, plus `env`: a test names its store explicitly.
 */
export function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_SCRIPT, ...args], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the command and parses its JSON output; fails with what it printed when it did not exit 0. */
export async function cliJson<T>(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<T> {
  const run = await cli([...args, '--json'], env);
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
