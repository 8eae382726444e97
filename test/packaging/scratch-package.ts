/**
 * Building blocks of the packaging tests: a fresh checkout of the working tree, `npm pack` on it, and
 * scratch consumer projects that install the tarball the way a user does. Nothing here downloads
 * anything but from the npm registry (and `--prefer-offline` takes packages from the cache `npm ci`
 * filled); the full consumer links its drivers and Nest from this repository's node_modules.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Manifest } from './entry-points.js';

/** How a child process ended, with its whole output. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end without blocking the test worker (several compilers run at once).
 * The `npm_*` variables of the `npm test` around us are dropped, so that a nested npm sees the
 * scratch project's own package.json, as it would in a user's shell.
 */
export function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like {@link run}, but a non-zero exit is an error that carries the output. */
export async function runOrThrow(command: string, args: string[], cwd: string): Promise<RunResult> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited with ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * Copies what a fresh clone of the working tree holds (tracked files and new files git does not
 * ignore, as they are now on disk) into `to`, and links this repo's node_modules into it, as `npm ci`
 * would have filled it. No dist/, no build output, no .tmp/: whatever the tarball holds, the pack made.
 */
export async function copyCheckout(root: string, to: string): Promise<void> {
  const listed = await runOrThrow(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    root,
  );
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = join(root, file);
    if (!existsSync(source)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(source, join(to, file));
  }
  symlinkSync(join(root, 'node_modules'), join(to, 'node_modules'), 'dir');
}

/** What `npm pack --json` reports about the tarball it wrote. */
export interface PackReport {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

/** `npm pack` in `checkout` (running its `prepack`), writing the tarball into `destination`. */
export async function pack(checkout: string, destination: string): Promise<PackReport & { tarball: string }> {
  const packed = await runOrThrow('npm', ['pack', '--json', '--pack-destination', destination], checkout);
  const [report] = JSON.parse(packed.stdout) as PackReport[];
  return { ...report!, tarball: join(destination, report!.filename) };
}

/** A scratch project with a package.json of the given module type. */
export function createProject(dir: string, type: 'module' | 'commonjs'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', private: true, type }, null, 2),
  );
}

/** Unpacks the tarball as npm installs it: to `<project>/node_modules/<name>`. */
export async function unpackInto(project: string, tarball: string, name: string): Promise<void> {
  const target = join(project, 'node_modules', name);
  mkdirSync(target, { recursive: true });
  await runOrThrow('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], project);
}

/**
 * Links packages from this repo's node_modules into the project's, so that the scratch project has
 * Nest and the drivers without downloading them. Returns the names that were not installed here.
 */
export function linkFromRepo(project: string, repoNodeModules: string, names: string[]): string[] {
  const missing: string[] = [];
  for (const name of names) {
    const source = join(repoNodeModules, name);
    const target = join(project, 'node_modules', name);
    if (!existsSync(source)) missing.push(name);
    else if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(source, target, 'dir');
    }
  }
  return missing;
}

/** The package.json inside a tarball unpacked by {@link unpackInto}. */
export function installedManifest(project: string, name: string): Manifest {
  return JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as Manifest;
}
