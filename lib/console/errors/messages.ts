/** The console's messages (errors, refusals, notices), in one place so that wording stays consistent. */
export const consoleMessages = {
  invalidConsoleOption: (option: string, reason: string) =>
    `Invalid SchedulerConsoleModule option ${option}: ${reason}`,
  noGuard: () =>
    'no guard is set: every console route (task payloads, and actions such as delete) would be open to anyone who reaches this app. ' +
    'Pass guard: a CanActivate that applies your app’s own authentication, or allowUnauthenticated: true to serve the console without one (only behind access control of your own)',
  readOnly: () => 'The console is read-only (readOnly: true): actions are disabled',
  csrfMissing: (tokenUrl: string) =>
    `CSRF check failed: a state-changing request needs the x-csrf-token header, equal to the token cookie; get both from GET ${tokenUrl} (the console page does this itself)`,
  csrfCrossSite: (site: string) =>
    `CSRF check failed: the request comes from another site (Sec-Fetch-Site: ${site})`,
  notFailed: (slug: string, state: string) =>
    `Task "${slug}" is ${state}, not failed: only a failed task can be retried (use run now instead)`,
  unknownParameter: (name: string, allowed: readonly string[]) =>
    `unknown parameter "${name}" (allowed: ${allowed.join(', ') || 'none'})`,
  historyOff: () =>
    'Execution history is off: runs, failures and task timelines need the history option of SchedulerModule (history: { retention: "7d" }).',
} as const;
