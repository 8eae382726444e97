/**
 * The package as a user gets it: `npm pack` on a fresh checkout (its `prepack` builds dist/), the
 * tarball installed in scratch consumers, every entry point of the `exports` map imported from ESM and
 * required from CommonJS, `nestjs-durable-scheduler/core` run where no Nest package is installed, and a
 * consumer compiled under each TypeScript setup of typescript-setups.ts. The entry points come from
 * package.json (entry-points.js): a new one is tested here without editing this file.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryPoints, readManifest, repoRoot, typesVersionsFor } from './entry-points.js';
import {
  copyCheckout,
  createProject,
  installedManifest,
  linkFromRepo,
  pack,
  run,
  runOrThrow,
  unpackInto,
  type PackReport,
} from './scratch-package.js';
import {
  COMPILERS,
  compilerVersion,
  consumerSource,
  documentedSetups,
  ownDiagnostics,
  SETUPS,
  typeCheckCommand,
  type TypeScriptSetup,
  writeProject,
} from './typescript-setups.js';

const manifest = readManifest();
const entries = entryPoints(manifest);
const specifiers = entries.map((entry) => entry.specifier);
const coreSpecifier = `${manifest.name}/core`;
const repoNodeModules = join(repoRoot, 'node_modules');
const fixtures = join(import.meta.dirname, 'fixtures');
/** What a Nest app needs and a plain Node app must not: optional peers of the package. */
const NEST_PEERS = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'];
/** The Nest face, which `core` leaves out. */
const NEST_FACE = [
  'SchedulerModule',
  'SchedulerService',
  'JobHandler',
  'InjectScheduler',
  'SchedulerTestingModule',
];

interface ExportsReport {
  [specifier: string]: { names: string[]; undefinedNames: string[] };
}

let work: string;
let packed: PackReport & { tarball: string };
/** Has the tarball, Nest and every driver (linked from this repo), as a Nest app on PostgreSQL would. */
let full: string;
/** Has only what `npm install <tarball>` brings: no Nest, no driver. */
let plain: string;
let esmExports: ExportsReport;

async function listExports(project: string, script: string, names: string[]): Promise<ExportsReport> {
  const listed = await runOrThrow(process.execPath, [script, JSON.stringify(names)], project);
  return JSON.parse(listed.stdout) as ExportsReport;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scheduler-packaging-'));
  await copyCheckout(repoRoot, join(work, 'checkout'));
  packed = await pack(join(work, 'checkout'), work);
}, 120_000);

afterAll(() => {
  // KEEP_PACKAGING_SCRATCH=1 keeps the checkout, the tarball and the consumers, to look into a failure.
  if (work && !process.env.KEEP_PACKAGING_SCRATCH) rmSync(work, { recursive: true, force: true });
});

describe('package.json', () => {
  it('maps every subpath of exports in typesVersions, for moduleResolution node10', () => {
    // Fix: node test/packaging/entry-points.js --write
    expect(manifest.typesVersions).toEqual(typesVersionsFor(manifest));
  });

  it('has a core entry point and makes the Nest packages optional peers', () => {
    expect(specifiers).toContain(coreSpecifier);
    for (const peer of NEST_PEERS) {
      expect([peer, manifest.peerDependencies?.[peer] !== undefined]).toEqual([peer, true]);
      expect([peer, manifest.peerDependenciesMeta?.[peer]?.optional]).toEqual([peer, true]);
    }
  });
});

describe('the tarball of a fresh checkout', () => {
  const packedPaths = () => new Set(packed.files.map((file) => file.path));

  it('holds the build of every entry point, the LICENSE and the README', () => {
    const paths = packedPaths();
    const expected = ['package.json', 'LICENSE', 'README.md'];
    for (const entry of entries)
      expected.push(entry.types.replace(/^\.\//, ''), entry.runtime.replace(/^\.\//, ''));
    expect(expected.filter((path) => !paths.has(path))).toEqual([]);
  });

  it('holds every bin target', () => {
    const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
    const paths = packedPaths();
    expect(bins.map((bin) => bin.replace(/^\.\//, '')).filter((bin) => !paths.has(bin))).toEqual([]);
  });

  it('holds no tests and no TypeScript sources', () => {
    const stray = packed.files
      .map((file) => file.path)
      .filter((path) => /^test\/|\.spec\.|^(?!.*\.d\.ts$).*\.ts$/.test(path));
    expect(stray).toEqual([]);
  });
});

describe('a consumer with Nest and the drivers installed', () => {
  beforeAll(async () => {
    full = join(work, 'full');
    createProject(full, 'module');
    await unpackInto(full, packed.tarball, manifest.name);
    const installed = installedManifest(full, manifest.name);
    const wanted = [
      ...Object.keys(installed.dependencies ?? {}),
      ...Object.keys(installed.peerDependencies ?? {}),
      '@types/node',
      '@types/pg',
    ];
    expect(linkFromRepo(full, repoNodeModules, wanted)).toEqual([]);
    for (const script of ['list-exports.mjs', 'list-exports.cjs'])
      copyFileSync(join(fixtures, script), join(full, script));
    esmExports = await listExports(full, 'list-exports.mjs', specifiers);
  }, 60_000);

  it('imports every entry point as an ES module', () => {
    expect(Object.keys(esmExports)).toEqual(specifiers);
    for (const specifier of specifiers) {
      expect([specifier, esmExports[specifier]!.names.length > 0]).toEqual([specifier, true]);
      expect([specifier, esmExports[specifier]!.undefinedNames]).toEqual([specifier, []]);
    }
  });

  it('requires every entry point from CommonJS, with the same exports', async () => {
    const cjsExports = await listExports(full, 'list-exports.cjs', specifiers);
    expect(cjsExports).toEqual(esmExports);
  });

  it('exports from the main entry everything of the core entry, and the Nest module besides', () => {
    const main = new Set(esmExports[manifest.name]!.names);
    expect(esmExports[coreSpecifier]!.names.filter((name) => !main.has(name))).toEqual([]);
    expect(NEST_FACE.filter((name) => !main.has(name))).toEqual([]);
    expect(esmExports[coreSpecifier]!.names.filter((name) => NEST_FACE.includes(name))).toEqual([]);
  });

  describe('TypeScript consumers', () => {
    const guide = readFileSync(join(repoRoot, 'docs', 'getting-started.md'), 'utf8');
    const documented = documentedSetups(guide, 'docs/getting-started.md');
    const cases = [...SETUPS, ...documented].flatMap((setup) =>
      setup.compilers.map((compiler) => ({
        setup,
        compiler,
        title: `${setup.name}, TypeScript ${compilerVersion(repoNodeModules, compiler)}`,
      })),
    );
    const outcomes = new Map<string, string[]>();

    beforeAll(async () => {
      const sourceFor = (setup: TypeScriptSetup) => {
        const imported = entries.filter((entry) => !setup.subpaths || setup.subpaths.includes(entry.subpath));
        return consumerSource(
          Object.fromEntries(imported.map(({ specifier }) => [specifier, esmExports[specifier]!.names])),
        );
      };
      const compile = async ({ setup, compiler, title }: (typeof cases)[number], index: number) => {
        const dir = join(full, `ts-${index}`);
        writeProject(dir, setup, compiler, sourceFor(setup));
        const command = typeCheckCommand(repoNodeModules, compiler, dir, manifest.name);
        const result = await run(process.execPath, command, dir);
        outcomes.set(title, ownDiagnostics(`${result.stdout}\n${result.stderr}`, manifest.name));
      };
      // Two compilers at a time: the machine has two cores.
      const queue = cases.map((entry, index) => () => compile(entry, index));
      await Promise.all(
        [0, 1].map(async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await next();
        }),
      );
    }, 240_000);

    it('covers every compiler and both tsconfigs of the guide', () => {
      expect(documented.map((setup) => setup.type).sort()).toEqual(['commonjs', 'module']);
      expect([...new Set(cases.map((entry) => entry.compiler))].sort()).toEqual(
        Object.keys(COMPILERS).sort(),
      );
    });

    it.each(cases.map((entry) => [entry.title]))('compiles under %s', (title) => {
      expect(outcomes.get(title)).toEqual([]);
    });
  });
});

describe('a consumer without Nest', () => {
  beforeAll(async () => {
    plain = join(work, 'plain');
    createProject(plain, 'module');
    const install = [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      packed.tarball,
    ];
    await runOrThrow('npm', install, plain);
    for (const script of ['list-exports.mjs', 'list-exports.cjs', 'run-core.mjs']) {
      copyFileSync(join(fixtures, script), join(plain, script));
    }
  }, 120_000);

  it('gets no Nest package, reflect-metadata or rxjs from npm install', () => {
    const require = createRequire(join(plain, 'package.json'));
    const resolvable = NEST_PEERS.filter((peer) => {
      try {
        require.resolve(peer);
        return true;
      } catch {
        return false;
      }
    });
    expect(resolvable).toEqual([]);
    expect(existsSync(join(plain, 'node_modules', manifest.name, 'dist'))).toBe(true);
  });

  it('gets no @opentelemetry/api (an optional peer): the engine and the command line run without it', () => {
    const require = createRequire(join(plain, 'package.json'));
    expect(() => require.resolve('@opentelemetry/api')).toThrow();
  });

  it('runs the command line from node_modules/.bin: help, and a clear failure without a driver', async () => {
    const bin = join(plain, 'node_modules', '.bin', manifest.name);
    const help = await run(bin, ['--help'], plain);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([
      0,
      `Usage: ${manifest.name} [options] [command]`,
    ]);
    const noDriver = await run(bin, ['status', '--url', 'postgres://nobody@127.0.0.1:1/none'], plain);
    expect([noDriver.code, noDriver.stderr]).toEqual([
      1,
      "error: the PostgreSQL driver is not installed: npm install pg (the command line uses the app's driver)\n",
    ]);
  });

  it('runs a job with the engine of nestjs-durable-scheduler/core', async () => {
    const ran = await runOrThrow(process.execPath, ['run-core.mjs'], plain);
    expect(JSON.parse(ran.stdout)).toEqual(['ping-1']);
  });

  it('requires nestjs-durable-scheduler/core from CommonJS', async () => {
    const esm = await listExports(plain, 'list-exports.mjs', [coreSpecifier]);
    const cjs = await listExports(plain, 'list-exports.cjs', [coreSpecifier]);
    expect(esm[coreSpecifier]!.names).toContain('StdScheduler');
    expect(cjs).toEqual(esm);
  });

  it('cannot load the main entry, which needs the Nest peers', async () => {
    const failed = await run(
      process.execPath,
      ['--input-type=module', '-e', `await import('${manifest.name}')`],
      plain,
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/Cannot find (package|module) '(@nestjs\/\w+|reflect-metadata|rxjs)'/);
  });
});
