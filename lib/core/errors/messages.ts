/** Every message the library puts in an error, in one place so that wording stays consistent. */
export const messages = {
  invalidCron: (expression: string, reason: string) => `Invalid cron expression "${expression}": ${reason}`,
  invalidPayload: (path: string, reason: string) => `Payload cannot be stored: at ${path}, ${reason}`,
  invalidSlug: (slug: unknown) => `Invalid job slug ${JSON.stringify(slug)}: a slug is a non-empty string`,
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
} as const;
