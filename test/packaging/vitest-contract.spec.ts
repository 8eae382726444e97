/**
 * The exported store contract runs under Vitest too (with globals): a child process runs Vitest on
 * test/packaging/vitest/, which imports the suite from the package's public `testing` entry.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./vitest/', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

describe('the exported store contract under Vitest', () => {
  it('passes against the memory store, every case run', () => {
    const run = spawnSync(
      process.execPath,
      [vitest, 'run', '--config', 'vitest.config.mjs', '--reporter=json'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      numTotalTests: number;
      numPassedTests: number;
      numFailedTests: number;
    };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(report.numTotalTests);
    // The whole contract, not a handful: every case group ran.
    expect(report.numTotalTests).toBeGreaterThan(100);
  });
});
