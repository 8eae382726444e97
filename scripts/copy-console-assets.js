/**
 * Copies the console page's script and stylesheet (lib/console/assets) next to the compiled console
 * module, which serves them from there: `node scripts/copy-console-assets.js dist/console/assets`.
 * tsc compiles TypeScript only; this is the whole front-end build.
 */
import { cpSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const target = process.argv[2];
if (!target) {
  console.error('usage: node scripts/copy-console-assets.js <target directory>');
  process.exit(2);
}
cpSync(fileURLToPath(new URL('../lib/console/assets', import.meta.url)), target, { recursive: true });
