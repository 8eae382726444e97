/**
 * The scheduler's console (`nestjs-durable-scheduler/console`): a web dashboard and a JSON admin
 * API as a Nest module. Needs `cronstrue` (a dependency of this package) for schedules in words.
 */
export { SchedulerConsoleModule } from './console.module.js';
export type {
  SchedulerConsoleModuleAsyncOptions,
  SchedulerConsoleModuleOptions,
  SchedulerConsoleOptions,
} from './console-options.js';
export { DEFAULT_CONSOLE_PATH } from './console-options.js';
export { InvalidConsoleOptionError } from './errors/invalid-console-option.error.js';
export { ConsoleService, type ConsoleOverview, type ConsoleTaskPage } from './console.service.js';
export type { ConsoleInstance, ConsoleKind, ConsolePayload, ConsoleRun, ConsoleTask } from './task-view.js';
export { scheduleInWords, nextFires } from './schedule-words.js';
export { CONSOLE_CSP } from './console-pages.controller.js';
export { CSRF_COOKIE, CSRF_HEADER } from './console.constants.js';
