/** Types of entry-points.js, for the TypeScript tests that load it. */
export interface EntryPoint {
  /** The key in `exports`: `.`, `./core`, … */
  subpath: string;
  /** What a user imports: `nestjs-durable-scheduler`, `nestjs-durable-scheduler/core`, … */
  specifier: string;
  /** The declaration file, relative to the package root (`./dist/….d.ts`). */
  types: string;
  /** The JavaScript file, relative to the package root (`./dist/….js`). */
  runtime: string;
}
export interface Manifest {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  bin?: string | Record<string, string>;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}
export declare const repoRoot: string;
export declare function readManifest(root?: string): Manifest;
export declare function entryPoints(manifest: Manifest): EntryPoint[];
export declare function typesVersionsFor(manifest: Manifest): Record<string, Record<string, string[]>>;
