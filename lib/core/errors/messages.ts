/** A value shown in a message: short, and never throwing (a message must not fail to be built). */
export function display(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = `a ${typeof value}`;
  }
  text = text.toWellFormed();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Every message the library puts in an error, in one place so that wording stays consistent. */
export const messages = {
  invalidCron: (expression: string, reason: string) => `Invalid cron expression "${expression}": ${reason}`,
  invalidPayload: (path: string, reason: string) => `Payload cannot be stored: at ${path}, ${reason}`,
  invalidSlug: (slug: unknown, reason: string) => `Invalid job slug ${display(slug)}: ${reason}`,
  invalidArgument: (name: string, reason: string) => `Invalid ${name}: ${reason}`,
  jobAlreadyRegistered: (kind: string) => `A job of kind "${kind}" is already registered with this scheduler`,
  jobAlreadyScheduled: (slug: string) =>
    `A job with slug "${slug}" is already scheduled (pass { replace: true } to overwrite it)`,
  jobNotFound: (slug: string) => `No scheduled job has the slug "${slug}"`,
  jobRunning: (slug: string, action: string) =>
    `Cannot ${action} job "${slug}" while it runs; try again when the current run ends`,
  unsupportedTrigger: (name: string) =>
    `A ${name} cannot be stored with a task: pass a cron string, { cron, timeZone }, { every }, a CronTrigger or a SimpleTrigger to scheduleJob, or register the custom trigger with registerJob`,
  invalidStoreOption: (option: string, reason: string) => `Invalid store option ${option}: ${reason}`,
  schedulerNotRunning: () => 'The scheduler is not running',
  invalidItem: (index: number, reason: string) => `Invalid item at index ${index}: ${reason}`,
  duplicateSlug: (slug: string, first: number) =>
    `its slug ${display(slug)} is also the slug of item ${first} (give each slug once per call)`,
  storeClosed: () => 'The store is closed: create a new store (and scheduler) to use it again',
  storeTimeout: (operation: string, ms: number) =>
    `The store did not answer ${operation} within ${ms} ms (it may still apply it)`,
  /** Why a run failed without an error of the job's own; stored as the task's `result`. */
  runFailures: {
    timedOut: (timeoutMs: number) => `Timed out after ${timeoutMs} ms (the job's signal was aborted)`,
    scheduleUnreadable: (reason: string) =>
      `The task's schedule cannot be read or computed on this instance, so it is kept as failed until it is replaced: ${reason}`,
    internal: (reason: string) => `The scheduler failed while running this task: ${reason}`,
    outcomeUnwritable: (reason: string) => `The outcome of the last run could not be stored: ${reason}`,
    unreadableTask: (reason: string) =>
      `The stored task cannot be read, so it is kept as failed until it is replaced: ${reason}`,
  },
  /** What the engine logs about a run it stopped waiting for. */
  detachedRuns: {
    ignoredSignal: (abortGraceMs: number, reason: string) =>
      `did not return within ${abortGraceMs} ms of its aborted signal (${reason}): its slot is freed and it is left running in the background`,
    atShutdown: () =>
      'was still running when stop() stopped waiting: its signal is aborted (shutdown), its lease released and it is left running in the background; the task runs again on the next instance that claims it',
  },
  /** Reasons given to `InvalidSlugError` and `InvalidArgumentError` by the argument checks. */
  argumentReasons: {
    notString: () => 'must be a non-empty string',
    notWellFormed: () =>
      'must be well-formed Unicode: it holds a lone surrogate (half of an emoji cut by slice?), which a store would turn into U+FFFD',
    hasNul: () => 'must not contain a NUL character (U+0000)',
    tooLong: (bytes: number, max: number) => `is ${bytes} UTF-8 bytes long; the limit is ${max}`,
    notDate: () => 'must be a valid Date',
    dateOutOfRange: (min: string, max: string) => `must be between ${min} and ${max}`,
    notBoolean: () => 'must be true or false',
    oneOf: (values: readonly string[]) => `must be one of ${values.join(', ')}`,
    wholeNumberIn: (min: number, max: number) => `must be a whole number from ${min} to ${max}`,
    delayAndRunAt: () => 'give either delay or runAt, not both',
  },
  /** Reasons given to `InvalidTraceContextError`. */
  traceContextReasons: {
    notMap: () => 'must be an object whose values are strings (or null)',
    tooManyEntries: (count: number, max: number) => `has ${count} entries; the limit is ${max}`,
    badKey: (key: string) => `has the key ${display(key)}: keys are 1 to 64 letters, digits, '_', '-' or '.'`,
    badValue: (key: string) =>
      `has a value at ${display(key)} that is not a well-formed string without NUL (U+0000)`,
    tooLarge: (bytes: number, max: number) =>
      `is ${bytes} UTF-8 bytes of keys and values; the limit is ${max}`,
  },
} as const;
