import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** The largest page `JobStore.list` returns (and `listJobs` accepts). */
export const MAX_LIST_LIMIT = 1000;

/** Every store refuses the same out-of-range arguments with the same error. */
export function assertListLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidArgumentError('limit', `must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
}

/** A lease must have a length. */
export function assertLeaseMs(leaseMs: number): void {
  if (!(leaseMs > 0)) throw new InvalidArgumentError('leaseMs', 'must be greater than 0');
}
