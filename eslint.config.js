import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The folders of lib/ that sit on top of the engine; the engine and the stores never import them. */
const UPPER_LAYERS = ['nest', 'jobs', 'metrics', 'testing', 'console', 'cli', 'otel'];
const layer = (names) => names.map((name) => `**/${name}/**`);
const STORES = ['memory', 'postgres', 'firestore'];

/**
 * The direction of dependency in lib/: core imports nothing else of the repo (the store contract is
 * its port), each store imports only core, and the upper layers sit on top of both.
 */
const boundaries = [
  {
    files: ['lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...layer(['stores', ...UPPER_LAYERS]), '@nestjs/*', 'pg', '@google-cloud/*'],
              message:
                'lib/core is the engine: it imports nothing else of lib/ (nor Nest or a driver); the dependency points into core.',
            },
          ],
        },
      ],
    },
  },
  ...STORES.map((store) => ({
    files: [`lib/stores/${store}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...layer(UPPER_LAYERS),
                ...layer(STORES.filter((other) => other !== store)),
                '@nestjs/*',
              ],
              message: 'A store imports only lib/core (and its own folder).',
            },
          ],
        },
      ],
    },
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The console page's script runs in the browser.
    files: ['lib/console/assets/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', FormData: 'readonly' },
    },
  },
);
