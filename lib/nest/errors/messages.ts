/** The messages of the Nest module's errors, in one place so that wording stays consistent. */
export const nestMessages = {
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
} as const;
