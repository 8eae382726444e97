import { StoreTimeoutError } from './errors/store-timeout.error.js';
import type { JobStore } from './store/job-store.js';

/** The store calls the engine bounds: every one that goes to the store and back. */
const BOUNDED: ReadonlySet<PropertyKey> = new Set<keyof JobStore>([
  'init',
  'close',
  'create',
  'nextRun',
  'claim',
  'extendLease',
  'settle',
  'release',
  'get',
  'getSlugs',
  'list',
  'update',
  'setPausedByKind',
  'delete',
  'clear',
  'appendHistory',
  'getHistory',
  'pruneHistory',
]);

/**
 * The store, with every call bounded by `timeoutMs` of real time: a store that stops answering (a
 * connection stalled without being closed) fails that call with a {@link StoreTimeoutError]
 * instead of holding the loop, a renewal or `stop()` forever. The call itself may still be applied
 * by the store later; the engine treats it as failed (a claim then runs after its lease ends, an
 * outcome is written again and refused or applied once: both are fenced).
 *
 * Methods the engine does not call through the store's round trip (`onWake`) pass through as they are.
 */
export function boundedStore(store: JobStore, timeoutMs: number): JobStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !BOUNDED.has(property)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) =>
        withTimeout(
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
          timeoutMs,
          String(property),
        );
    },
  });
}

/** `promise`, or a {@link StoreTimeoutError} once `timeoutMs` of real time has passed. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(operation, timeoutMs)), timeoutMs);
    timer.unref?.();
  });
  // A call that settles after its timeout must not become an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
