/** The sample app's store did not answer at boot within the time it was given. */
export class StoreUnreachableError extends Error {
  constructor(where: string, timeoutMs: number, reason: string, hint: string, options?: ErrorOptions) {
    super(`Cannot reach ${where} within ${timeoutMs} ms: ${reason}.${hint ? ` ${hint}` : ''}`, options);
    this.name = 'StoreUnreachableError';
  }
}
