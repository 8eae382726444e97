import {
  Controller,
  Module,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConsoleAccessGuard } from './console-access.guard.js';
import { ConsoleApiController } from './console-api.controller.js';
import { ConsoleAssets } from './console-assets.js';
import {
  normalizePath,
  resolveConsoleOptions,
  type ResolvedConsoleOptions,
  type SchedulerConsoleModuleAsyncOptions,
  type SchedulerConsoleModuleOptions,
} from './console-options.js';
import { ConsolePagesController } from './console-pages.controller.js';
import { CONSOLE_APP_GUARD, CONSOLE_OPTIONS } from './console.constants.js';
import { ConsoleService } from './console.service.js';

/**
 * The scheduler's console: a web dashboard at `path` and its JSON API at `<path>/api`, in any Nest
 * app (Express or Fastify) that imports `SchedulerModule`. Every route goes through the `guard` the
 * app gives; without one the module refuses to start unless `allowUnauthenticated: true`.
 *
 * ```ts
 * SchedulerConsoleModule.forRoot({ path: '/scheduler', guard: AdminGuard })
 * ```
 */
@Module({})
export class SchedulerConsoleModule {
  /** @throws InvalidConsoleOptionError for a path Nest would read as parameters (at once) or without a guard (at bootstrap). */
  static forRoot(options: SchedulerConsoleModuleOptions = {}): DynamicModule {
    const path = normalizePath(options.path);
    const { path: _path, imports = [], ...consoleOptions } = options;
    return this.assemble(
      path,
      { provide: CONSOLE_OPTIONS, useFactory: () => ({ ...resolveConsoleOptions(consoleOptions), path }) },
      imports,
    );
  }

  /**
   * The options from a factory at bootstrap (the path, which routes need before any provider
   * exists, is given here):
   * ```ts
   * SchedulerConsoleModule.forRootAsync({
   *   path: '/scheduler',
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ guard: new AdminGuard(config), readOnly: config.get('CONSOLE_READ_ONLY') === 'true' }),
   * })
   * ```
   */
  static forRootAsync(options: SchedulerConsoleModuleAsyncOptions): DynamicModule {
    const path = normalizePath(options.path);
    return this.assemble(
      path,
      {
        provide: CONSOLE_OPTIONS,
        useFactory: async (...args: never[]) => ({
          ...resolveConsoleOptions(await options.useFactory(...args)),
          path,
        }),
        inject: options.inject ?? [],
      },
      options.imports ?? [],
    );
  }

  private static assemble(
    path: string,
    optionsProvider: Provider,
    imports: NonNullable<DynamicModule['imports']>,
  ): DynamicModule {
    const appGuard: Provider = {
      provide: CONSOLE_APP_GUARD,
      useFactory: (options: ResolvedConsoleOptions, moduleRef: ModuleRef) => {
        const guard = options.guard;
        if (guard === null) return null;
        // A class is built here, with its dependencies from this module's imports and global modules.
        return typeof guard === 'function' ? moduleRef.create(guard as Type<CanActivate>) : guard;
      },
      inject: [CONSOLE_OPTIONS, ModuleRef],
    };
    return {
      module: SchedulerConsoleModule,
      imports,
      controllers: mountedControllers(path),
      providers: [optionsProvider, appGuard, ConsoleAccessGuard, ConsoleService, ConsoleAssets],
    };
  }
}

/** The API and the pages, mounted at `path` behind the console's guard (subclasses: each app its own path). */
function mountedControllers(path: string): Type[] {
  const api = path === '' ? 'api' : `${path}/api`;

  @Controller(api)
  @UseGuards(ConsoleAccessGuard)
  class MountedConsoleApiController extends ConsoleApiController {}

  @Controller(path)
  @UseGuards(ConsoleAccessGuard)
  class MountedConsolePagesController extends ConsolePagesController {}

  return [MountedConsoleApiController, MountedConsolePagesController];
}
