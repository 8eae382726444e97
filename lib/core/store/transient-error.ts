import { StoreTimeoutError } from '../errors/store-timeout.error.js';

/** Node's codes for a connection that broke or could not be made. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs that say nothing about the statement: class 08 (connection exception), 53
 * (insufficient resources), 57P01-57P03 (the server is shutting down or starting), 40001/40P01
 * (serialization failure, deadlock: retry as is), 55P03 (lock not available).
 */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[1-3]$|40001$|40P01$|55P03$)/;

/** gRPC status codes (Firestore): DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE, CANCELLED. */
const TRANSIENT_GRPC = new Set([1, 4, 8, 10, 14]);

/** Messages of drivers that throw plain Errors for a lost connection. */
const TRANSIENT_MESSAGE =
  /connection terminated|connection timeout|timeout exceeded|socket hang up|client has encountered a connection error|not queryable|not currently accepting connections|query read timeout|the database system is (starting up|shutting down)/i;

/**
 * Whether a store error says nothing about the data it was given: the store timed out, lost its
 * connection, was busy or restarting. Such a call is retried as it is after a backoff; any other
 * error is a refusal of what was sent, and the engine then looks for the one value it refused (a
 * batch of outcomes is split until the refused one stands alone) instead of retrying it forever.
 *
 * A store may mark its own errors with `transient: true` (or `false`) to override the guess.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (error instanceof StoreTimeoutError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { transient?: unknown; code?: unknown; message?: unknown };
  if (typeof e.transient === 'boolean') return e.transient;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || TRANSIENT_SQLSTATE.test(e.code)))
    return true;
  if (typeof e.code === 'number' && TRANSIENT_GRPC.has(e.code)) return true;
  return typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}
