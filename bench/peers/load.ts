/**
 * The peers' packages live in bench/peers/node_modules (`npm ci --prefix bench/peers`), out of the
 * library's own dependencies, so that the root `npm ci` never installs them and the published
 * package never names them. They are loaded from there at run time, by path; the bench compiles
 * without them (peer-api.ts holds the few types it uses).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The one command that installs the peers. */
export const INSTALL_COMMAND = 'npm ci --prefix bench/peers';

/** The source tree's bench/peers (the compiled bench runs from build/bench/peers). */
function peersDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bench', 'peers', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench/peers/package.json not found above the compiled bench');
    dir = parent;
  }
  return join(dir, 'bench', 'peers');
}

const PEERS_DIR = peersDir();
const requireFromPeers = createRequire(join(PEERS_DIR, 'package.json'));

/** The installed version of a peer's package, or null when it is not installed. */
export function installedVersion(name: string): string | null {
  const file = join(PEERS_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return null;
  return String((JSON.parse(readFileSync(file, 'utf8')) as { version: unknown }).version);
}

/** The packages of bench/peers/package.json that are not installed. */
export function missingPackages(): string[] {
  const manifest = JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(manifest.dependencies).filter((name) => installedVersion(name) === null);
}

/**
 * Imports a peer's package from bench/peers/node_modules. A CommonJS package comes back as its
 * `module.exports` (the `default` of the namespace).
 */
export async function importPeer<T>(name: string): Promise<T> {
  const path = requireFromPeers.resolve(name);
  const namespace = (await import(pathToFileURL(path).href)) as { default?: unknown };
  return (namespace.default ?? namespace) as T;
}
