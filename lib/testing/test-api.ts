/**
 * The part of a test runner the exported suites use: Jest's and Vitest's `describe`, `it`,
 * `beforeEach`, `afterEach` and `expect` (with the matchers below) have exactly this shape, so the
 * suites run under either without importing one. By default they are the runner's globals (Jest;
 * Vitest with `globals: true`); pass them explicitly otherwise.
 */

/** The matchers the suites call. */
export interface SuiteMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  toHaveLength(length: number): void;
  toContain(item: unknown): void;
  toBeGreaterThan(value: number): void;
  toBeGreaterThanOrEqual(value: number): void;
  toBeLessThanOrEqual(value: number): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toBeTruthy(): void;
  toThrow(expected?: unknown): void;
  readonly not: SuiteMatchers;
}

/** `expect(value)`, with `.rejects` / `.resolves` for promises, and `expect.any(Type)`. */
export interface SuiteExpect {
  (actual: unknown): SuiteMatchers & {
    readonly rejects: AsyncSuiteMatchers;
    readonly resolves: AsyncSuiteMatchers;
  };
  any(type: unknown): unknown;
}

/** The matchers of `.rejects` / `.resolves`: each returns a promise to await. */
export type AsyncSuiteMatchers = {
  [K in keyof SuiteMatchers]: SuiteMatchers[K] extends (...args: infer A) => void
    ? (...args: A) => Promise<void>
    : never;
};

/** A test body: may return a promise. */
export type TestBody = () => void | Promise<unknown>;

/** The runner functions the suites use. */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: TestBody, timeoutMs?: number): void;
  beforeEach(body: TestBody): void;
  afterEach(body: TestBody): void;
  expect: SuiteExpect;
}

/**
 * The runner's functions: `given`, or the globals Jest (and Vitest with `globals: true`) define.
 * @throws Error naming what is missing when neither is there.
 */
export function resolveTestApi(given?: TestApi): TestApi {
  if (given) return given;
  const g = globalThis as unknown as Partial<TestApi>;
  const missing = (['describe', 'it', 'beforeEach', 'afterEach', 'expect'] as const).filter(
    (name) => typeof g[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(
      `The exported suites need a test runner: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not defined. ` +
        'Run them under Jest, or Vitest with globals: true, or pass { describe, it, beforeEach, afterEach, expect } as the last argument.',
    );
  }
  return g as TestApi;
}
