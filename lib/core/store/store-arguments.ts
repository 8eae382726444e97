import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { InstanceInfo } from './job-store.js';

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

/**
 * A slug prefix is text a slug may start with. A NUL is refused on every store, because PostgreSQL
 * text cannot hold one (so no slug contains it).
 */
export function assertSlugPrefix(prefix: unknown): asserts prefix is string | undefined {
  if (prefix === undefined) return;
  if (typeof prefix !== 'string') throw new InvalidArgumentError('slugPrefix', 'must be a string');
  if (prefix.includes('\u0000')) {
    throw new InvalidArgumentError('slugPrefix', 'contains a NUL character (U+0000), which no slug holds');
  }
}

/** A window of time before the store's now, in ms. */
export function assertMaxAgeMs(maxAgeMs: number): void {
  if (!(Number.isFinite(maxAgeMs) && maxAgeMs >= 0)) {
    throw new InvalidArgumentError('maxAgeMs', 'must be a number of milliseconds >= 0');
  }
}

/** A point in time given by the caller. */
export function assertDateArgument(name: string, value: unknown): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError(name, 'must be a valid Date');
  }
}

/** What `recordInstance` stores: checked before anything is written, the same on every store. */
export function assertInstanceInfo(info: InstanceInfo): void {
  if (info === null || typeof info !== 'object')
    throw new InvalidArgumentError('instance', 'must be an object');
  assertInstanceId(info.instanceId);
  if (typeof info.hostname !== 'string') throw new InvalidArgumentError('hostname', 'must be a string');
  if (!Number.isInteger(info.pid)) throw new InvalidArgumentError('pid', 'must be an integer');
  assertDateArgument('startedAt', info.startedAt);
  if (!Array.isArray(info.kinds) || !info.kinds.every((kind) => typeof kind === 'string')) {
    throw new InvalidArgumentError('kinds', 'must be an array of strings');
  }
  if (!(Number.isInteger(info.inFlight) && info.inFlight >= 0)) {
    throw new InvalidArgumentError('inFlight', 'must be an integer >= 0');
  }
  if (info.health === null || typeof info.health !== 'object') {
    throw new InvalidArgumentError('health', 'must be an object');
  }
}

/** An instance id is a non-empty string without NUL (the lease owner column is PostgreSQL text). */
export function assertInstanceId(instanceId: unknown): asserts instanceId is string {
  if (typeof instanceId !== 'string' || instanceId === '' || instanceId.includes('\u0000')) {
    throw new InvalidArgumentError('instanceId', 'must be a non-empty string without NUL characters');
  }
}
