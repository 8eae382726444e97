import { spawnSync } from 'node:child_process';

/**
 * Compiles lib/ to dist/ so that child processes in multi-process tests run the real compiled
 * library, as an application would. A type error does not stop the other tests (tsc still emits;
 * `npm run build` in CI is the gate for type errors).
 * @returns {Promise<() => Promise<void>>}
 */
export async function buildLibraryOnce() {
  const run = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    process.stderr.write(
      `\n[global-setup] tsc reported errors while building dist/:\n${run.stdout}${run.stderr}\n`,
    );
  }
  return async () => undefined;
}
