/** Metadata key under which `@JobHandler` stores its kind and options on a class. */
export const JOB_HANDLER_METADATA = 'nestjs-durable-scheduler:job-handler';

/** Injection token of the resolved module options (`SchedulerModuleOptions` with defaults, plus the store). */
export const SCHEDULER_MODULE_OPTIONS = Symbol('SCHEDULER_MODULE_OPTIONS');

/** The token the raw engine (`Scheduler`) is provided under. A symbol, so it never clashes with a user's string token. */
const SCHEDULER_TOKEN = Symbol('nestjs-durable-scheduler:Scheduler');

/**
 * The injection token of the raw engine (the `Scheduler` that `SchedulerService` wraps), for
 * `moduleRef.get(getSchedulerToken())` or `@Inject(getSchedulerToken())` (see also `@InjectScheduler()`).
 */
export function getSchedulerToken(): symbol {
  return SCHEDULER_TOKEN;
}

/** The context of the default logger, so that the scheduler's lines read `[Scheduler]` in the app's log. */
export const DEFAULT_LOGGER_CONTEXT = 'Scheduler';

/** How long `onModuleDestroy` waits for running jobs before aborting them, by default. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
