/**
 * The TypeScript setups users have, and the consumer each one compiles: one import of every entry
 * point, and every name that entry exports at run time, which must exist in its types and not be
 * `any` (an import that resolves to nothing typed would pass a plain compile).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A compiler package in node_modules, and how a project is compiled with it. */
export interface Compiler {
  /** Options every project compiled with it gets, as its users must set them. */
  compilerOptions: Record<string, unknown>;
  /** It has the JavaScript API (TypeScript 5 and 6), which fixtures/type-check.mjs drives. */
  api: boolean;
}

/**
 * The compilers, installed as devDependencies (npm aliases of `typescript`): the oldest 5.x, the one
 * this repo builds with, and the current major (TypeScript 7, the native compiler).
 */
export const COMPILERS: Record<string, Compiler> = {
  'typescript-5.0': { compilerOptions: {}, api: true },
  typescript: { compilerOptions: {}, api: true },
  // TypeScript 6+ loads no @types package unless `types` lists it (docs/getting-started.md).
  'typescript-7': { compilerOptions: { types: ['node'] }, api: false },
};

/** One kind of user project. */
export interface TypeScriptSetup {
  name: string;
  /** The consumer's package.json `type`. */
  type: 'module' | 'commonjs';
  compilerOptions: Record<string, unknown>;
  /** Keys of {@link COMPILERS} that support this setup. */
  compilers: string[];
  /**
   * The options are a user's whole tsconfig (from the docs): neither the shared options nor the
   * compiler's are added, only `noEmit` and `skipLibCheck: false` (to check this package's types).
   */
  exact?: boolean;
  /** The entry points the consumer imports (all when absent). */
  subpaths?: string[];
}

export const SETUPS: TypeScriptSetup[] = [
  {
    name: 'CommonJS, module commonjs, moduleResolution node10 (the classic Nest template)',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node' },
    // TypeScript 5.9 compiles the doc snippets in this setup (test/docs/doc-snippets.spec.ts).
    compilers: ['typescript-5.0'],
  },
  {
    // TypeScript 7 removed node10; the classic template's `module: commonjs` now resolves as bundler.
    name: 'CommonJS, module commonjs, default moduleResolution',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs' },
    compilers: ['typescript-7'],
  },
  {
    // A CommonJS file may import an ES module's types under nodenext since TypeScript 5.8 (require(esm)).
    name: 'CommonJS, module nodenext',
    type: 'commonjs',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    compilers: ['typescript', 'typescript-7'],
  },
  {
    name: 'ES module, module node16',
    type: 'module',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
    compilers: ['typescript-5.0', 'typescript-7'],
  },
  {
    name: 'ES module, moduleResolution bundler',
    type: 'module',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    compilers: ['typescript-5.0', 'typescript-7'],
  },
];

/**
 * The tsconfigs docs/getting-started.md recommends (```json tsconfig <commonjs|esm> blocks), each
 * compiled exactly as written, with a consumer of the core entry only: the one that gets no Node types
 * through a driver's declarations, so it fails if the documented `types` were wrong.
 */
export function documentedSetups(markdown: string, docName: string): TypeScriptSetup[] {
  const setups: TypeScriptSetup[] = [];
  const block = /^```json tsconfig (commonjs|esm)\n([\s\S]*?)^```$/gm;
  for (let found = block.exec(markdown); found; found = block.exec(markdown)) {
    const { compilerOptions } = JSON.parse(found[2]!) as { compilerOptions: Record<string, unknown> };
    setups.push({
      name: `the ${found[1]} tsconfig of ${docName}, core entry`,
      type: found[1] === 'esm' ? 'module' : 'commonjs',
      compilerOptions,
      compilers: ['typescript', 'typescript-7'],
      exact: true,
      subpaths: ['./core'],
    });
  }
  return setups;
}

/** Options every setup shares: a strict Nest app's, with our declaration files checked too. */
const COMMON_OPTIONS = {
  target: 'ES2022',
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: false,
  noEmit: true,
};

/** The installed version of a compiler package. */
export function compilerVersion(repoNodeModules: string, compiler: string): string {
  const manifest = JSON.parse(readFileSync(join(repoNodeModules, compiler, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The command that type-checks the project in `dir`, and reports as `tsc --pretty false` does. */
export function typeCheckCommand(
  repoNodeModules: string,
  compiler: string,
  dir: string,
  packageName: string,
): string[] {
  const folder = join(repoNodeModules, compiler);
  if (COMPILERS[compiler]!.api)
    return [join(import.meta.dirname, 'fixtures', 'type-check.mjs'), folder, dir, packageName];
  return [join(folder, 'bin', 'tsc'), '-p', dir, '--pretty', 'false'];
}

/** The consumer source: `exportsBySpecifier` maps each entry's specifier to its run-time export names. */
export function consumerSource(exportsBySpecifier: Record<string, string[]>): string {
  const specifiers = Object.keys(exportsBySpecifier);
  const imports = specifiers.map((specifier, i) => `import * as entry${i} from '${specifier}';`);
  const checks = specifiers.map((specifier, i) => {
    const names = exportsBySpecifier[specifier]!;
    const keys = names.map((name) => `'${name}'`).join(' | ');
    const values = names.map((name) => `${name}: false`).join(', ');
    return `export const typed${i}: { [K in ${keys}]: IsAny<(typeof entry${i})[K]> } = { ${values} };`;
  });
  return [...imports, '', 'type IsAny<T> = 0 extends 1 & T ? true : false;', ...checks, ''].join('\n');
}

/** Writes a project for one setup and compiler into `dir` (inside the consumer, to share its node_modules). */
export function writeProject(dir: string, setup: TypeScriptSetup, compiler: string, source: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'ts-consumer', private: true, type: setup.type }),
  );
  const compilerOptions = setup.exact
    ? { ...setup.compilerOptions, noEmit: true, skipLibCheck: false }
    : { ...COMMON_OPTIONS, ...setup.compilerOptions, ...COMPILERS[compiler]!.compilerOptions };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, files: ['entries.ts'] }, null, 2),
  );
  writeFileSync(join(dir, 'entries.ts'), source);
}

/**
 * The diagnostics of `tsc --pretty false` output that concern the consumer or this package: errors in
 * other packages' declaration files (say, a driver's types on an old compiler) are theirs, not ours.
 * Anything that is not a diagnostic in a third-party file (a config error, a crash) is kept.
 */
export function ownDiagnostics(output: string, packageName: string): string[] {
  const diagnostics: string[] = [];
  for (const line of output.split('\n')) {
    if (/^\s/.test(line) && diagnostics.length > 0) diagnostics[diagnostics.length - 1] += `\n${line}`;
    else if (line.trim() !== '') diagnostics.push(line);
  }
  return diagnostics.filter((diagnostic) => {
    const file = /^(.+?)\(\d+,\d+\): /.exec(diagnostic)?.[1];
    return !(file && file.includes('node_modules/') && !file.includes(`node_modules/${packageName}/`));
  });
}
