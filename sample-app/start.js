/**
 * `npm start`: builds the sample app into build/ when its sources changed, then runs it in this very
 * process. package.json starts this script with `exec`, so the process npm forwards SIGTERM and
 * SIGINT to is the app itself (a shell between them would die of the signal and leave the app
 * running under PID 1); the app then stops gracefully and exits 0.
 *
 * Builds are serialised by a lock file: instances started together build once, one at a time (the
 * later ones wait, then find build/ up to date), instead of rewriting build/ at the same time.
 *
 *   node sample-app/start.js            build if needed, then run the app
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What `npm run build:app` compiles (tsconfig.app.json's `include`) and what configures it. */
const SOURCES = [
  'lib',
  'sample-app',
  'bench',
  'scripts',
  'tsconfig.json',
  'tsconfig.app.json',
  'package.json',
];
/** Written after a successful build: build/ is up to date when no source is newer. */
const STAMP = join(root, 'build', '.sample-app-built');
const LOCK = join(root, '.tmp', 'sample-app-build.lock');
/** A lock file left empty this long was left by a process that died while taking it. */
const EMPTY_LOCK_STALE_MS = 10_000;

function log(message) {
  process.stdout.write(`[start] ${message}\n`);
}

/** The newest modification time (ms) under `path`. */
function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function upToDate() {
  const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return built > 0 && SOURCES.every((source) => newestMtime(join(root, source)) <= built);
}

/** Whether the process that wrote the lock file is gone (or never finished writing it). */
function lockIsStale() {
  let text;
  try {
    text = readFileSync(LOCK, 'utf8');
  } catch {
    return false; // released meanwhile: try again
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) {
    return (
      Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > EMPTY_LOCK_STALE_MS
    );
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

async function withBuildLock(work) {
  mkdirSync(dirname(LOCK), { recursive: true });
  let said = false;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (lockIsStale()) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (!said) log('another `npm start` is building the app: waiting for it');
    said = true;
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** `npm run build:app`, in a process group of its own so that a signal stops all of it (npm, sh, tsc). */
function buildApp() {
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, 'run', 'build:app']] : ['npm', ['run', 'build:app']];
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: true });
  const stop = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(code === 0 ? null : `npm run build:app ended with ${signal ?? `exit code ${code}`}`);
    });
  });
}

const failure = await withBuildLock(async () => {
  if (upToDate()) {
    log('build/ is up to date');
    return null;
  }
  log('building the app into build/ (npm run build:app)');
  const started = new Date();
  const problem = await buildApp();
  if (problem === null) {
    // Dated from the start of the build: a source saved while it ran makes the next start build again.
    writeFileSync(STAMP, started.toISOString());
    utimesSync(STAMP, started, started);
  }
  return problem;
});
if (failure !== null) {
  process.stderr.write(`[start] ${failure}: not starting\n`);
  process.exit(1);
}
await import(pathToFileURL(join(root, 'build', 'sample-app', 'main.js')).href);
