import os from 'node:os';

/**
 * Nest 12 ships as ES modules, which Jest loads only in its native ESM mode
 * (`--experimental-vm-modules`, set by `npm test`); ts-jest compiles our TypeScript to ESM.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/sample-app/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 60_000,
  // Most files wait on PostgreSQL, the emulator or child processes rather than on the CPU: two
  // workers even on 2 cores (Jest's default would be one) halve the suite's time.
  maxWorkers: Math.max(2, os.cpus().length - 1),
  detectOpenHandles: false,
};
