import type { CanActivate, FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import { InvalidConsoleOptionError } from './errors/invalid-console-option.error.js';
import { consoleMessages } from './errors/messages.js';

/** What the console serves and who may use it. */
export interface SchedulerConsoleOptions {
  /**
   * Who may use the console: a Nest guard (`CanActivate`, an instance or a class the module
   * instantiates with injection) that every console route goes through, pages, assets and API
   * alike, so the app's own authentication applies. Required unless `allowUnauthenticated` is set.
   */
  guard?: CanActivate | Type<CanActivate>;
  /** Serve the console without a guard. Only behind access control of your own. Default `false`. */
  allowUnauthenticated?: boolean;
  /** No actions: the page shows none and the API refuses them with 403. Default `false`. */
  readOnly?: boolean;
  /** How often an open page refreshes itself, in ms (0: never). Default 5000. */
  refreshMs?: number;
  /**
   * How long the per-kind counts, the runs of the last hour and the instance list are shared by
   * every viewer before they are read again, in ms (0: read on every request). Default 5000. An
   * action from the console clears it at once.
   */
  cacheMs?: number;
  /** Rows per page of the task tables. Default 50 (1 to 1000). */
  pageSize?: number;
  /** The page title. Default `Scheduler`. */
  title?: string;
}

/** Options of `SchedulerConsoleModule.forRoot`. */
export interface SchedulerConsoleModuleOptions extends SchedulerConsoleOptions {
  /** Where the console is mounted (the API is `<path>/api`). Default `/scheduler`. */
  path?: string;
  /** Modules the guard class needs for its dependencies (global modules are always visible). */
  imports?: ModuleMetadata['imports'];
}

/** Options of `SchedulerConsoleModule.forRootAsync`: the path now, the rest from a factory at bootstrap. */
export interface SchedulerConsoleModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Where the console is mounted: routes are declared before any provider exists. Default `/scheduler`. */
  path?: string;
  /** Builds the options; its arguments are the providers named in `inject`. */
  useFactory: (...args: never[]) => Promise<SchedulerConsoleOptions> | SchedulerConsoleOptions;
  /** Providers given to `useFactory`. */
  inject?: FactoryProvider['inject'];
}

/** The options with every default applied. */
export interface ResolvedConsoleOptions {
  guard: CanActivate | Type<CanActivate> | null;
  readOnly: boolean;
  refreshMs: number;
  cacheMs: number;
  pageSize: number;
  title: string;
}

export const DEFAULT_CONSOLE_PATH = '/scheduler';

/** A mount path: `/`-separated segments of URL-safe characters, no parameters or wildcards. */
const PATH = /^(\/[A-Za-z0-9._~-]+)*\/?$/;

/**
 * The controller path for a mount path (`/scheduler/` → `scheduler`, `/` → ``).
 * @throws InvalidConsoleOptionError for a path Nest would read as parameters or wildcards.
 */
export function normalizePath(path: unknown = DEFAULT_CONSOLE_PATH): string {
  if (typeof path !== 'string' || !PATH.test(path) || path === '') {
    throw new InvalidConsoleOptionError(
      'path',
      `${JSON.stringify(path)} is not a path like "/scheduler" (letters, digits, ".", "_", "~", "-" between slashes)`,
    );
  }
  return path.replace(/^\/+|\/+$/g, '');
}

/**
 * Checks the options and applies the defaults.
 * @throws InvalidConsoleOptionError without a guard (unless `allowUnauthenticated`), or for a bad value.
 */
export function resolveConsoleOptions(options: SchedulerConsoleOptions): ResolvedConsoleOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidConsoleOptionError('options', 'pass an object, for example { guard: AdminGuard }');
  }
  const guard = options.guard ?? null;
  if (guard === null && options.allowUnauthenticated !== true) {
    throw new InvalidConsoleOptionError('guard', consoleMessages.noGuard());
  }
  if (guard !== null && typeof guard !== 'function' && typeof guard.canActivate !== 'function') {
    throw new InvalidConsoleOptionError('guard', 'is neither a CanActivate nor a class of one');
  }
  return {
    guard,
    readOnly: options.readOnly ?? false,
    refreshMs: wholeMs('refreshMs', options.refreshMs ?? 5000),
    cacheMs: wholeMs('cacheMs', options.cacheMs ?? 5000),
    pageSize: pageSize(options.pageSize ?? 50),
    title: typeof options.title === 'string' && options.title !== '' ? options.title : 'Scheduler',
  };
}

function wholeMs(option: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new InvalidConsoleOptionError(option, `${String(value)} is not a whole number of ms >= 0`);
  }
  return value;
}

function pageSize(value: number): number {
  if (!(Number.isInteger(value) && value >= 1 && value <= 1000)) {
    throw new InvalidConsoleOptionError('pageSize', `${String(value)} is not a whole number from 1 to 1000`);
  }
  return value;
}
