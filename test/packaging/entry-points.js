/**
 * The package's entry points, read from the `exports` map of package.json: that map is the one list.
 * Adding an entry point is one line there, then `node test/packaging/entry-points.js --write`, which
 * derives `typesVersions` from it (the map CommonJS projects on `moduleResolution: node10` read, since
 * that resolution ignores `exports`). The packaging test fails while the two disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** @returns {Record<string, unknown>} the parsed package.json of the repository */
export function readManifest(root = repoRoot) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

/**
 * Every subpath of `exports` that is a code entry (it has `types`); `./package.json` is not one.
 * @param {Record<string, any>} manifest
 */
export function entryPoints(manifest) {
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object' && target !== null && 'types' in target)
    .map(([subpath, target]) => ({
      subpath,
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      types: target.types,
      runtime: target.default ?? target.import ?? target.require,
    }));
}

/**
 * The `typesVersions` that makes every subpath resolve where `exports` is not read. The root entry
 * needs none: `types` serves it.
 * @param {Record<string, any>} manifest
 */
export function typesVersionsFor(manifest) {
  const paths = {};
  for (const entry of entryPoints(manifest)) {
    if (entry.subpath !== '.') paths[entry.subpath.slice(2)] = [entry.types];
  }
  return { '*': paths };
}

if (process.argv[1] === import.meta.filename && process.argv.includes('--write')) {
  const manifest = readManifest();
  manifest.typesVersions = typesVersionsFor(manifest);
  writeFileSync(join(repoRoot, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`typesVersions now maps ${Object.keys(manifest.typesVersions['*']).join(', ')}\n`);
}
