/** The messages of the built-in jobs' errors, in one place so that wording stays consistent. */
export const jobMessages = {
  shellJobFailed: (reason: string, stderrTail: string) =>
    `Shell job failed: ${reason}${stderrTail ? `; stderr: ${stderrTail}` : ''}`,
  httpJobFailed: (method: string, url: string, reason: string, bodyExcerpt: string) =>
    `HTTP ${method} ${url} failed: ${reason}${bodyExcerpt ? `; body: ${bodyExcerpt}` : ''}`,
} as const;
