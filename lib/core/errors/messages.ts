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
  invalidJobHandler: (name: string, reason: string) => `Invalid @JobHandler ${name}: ${reason}`,
  /** Reasons given to `InvalidJobHandlerError` by the Nest module. */
  jobHandlerReasons: {
    invalidKind: (kind: unknown) => `the kind ${JSON.stringify(kind)} is not a non-empty string`,
    cronAndEvery: () => 'give either cron or every, not both',
    timeZoneWithoutCron: () => 'timeZone applies only to a cron schedule',
    recurringOptionWithoutTrigger: (option: string) =>
      `${option} describes the recurring task created at bootstrap, which needs a schedule: give cron or every`,
    noExecute: () => 'the provider has no execute(task, ctx) method; a @JobHandler class must implement one',
    requestScoped: () =>
      'the provider is request-scoped (or depends on a request-scoped provider), but a scheduled job runs outside any request; make it a default-scoped (singleton) provider',
    notDecorated: () => 'the class is not decorated with @JobHandler(kind), so it has no job kind',
    slugTaken: (slug: string, otherKind: string) =>
      `its recurring task's slug "${slug}" is already the slug of the recurring task of kind "${otherKind}"; give one of them another slug`,
  },
  invalidStoreOption: (option: string, reason: string) => `Invalid store option ${option}: ${reason}`,
  schedulerNotRunning: () => 'The scheduler is not running',
  shellJobFailed: (reason: string, stderrTail: string) =>
    `Shell job failed: ${reason}${stderrTail ? `; stderr: ${stderrTail}` : ''}`,
  httpJobFailed: (method: string, url: string, reason: string, bodyExcerpt: string) =>
    `HTTP ${method} ${url} failed: ${reason}${bodyExcerpt ? `; body: ${bodyExcerpt}` : ''}`,
} as const;
