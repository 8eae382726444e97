import type { JobStore } from '../../lib/core/store/job-store.js';

/**
 * Wraps a real store and makes chosen operations fail, as a network partition or a database
 * outage would. The data stays in the real store underneath: this injects faults, it mocks nothing.
 *
 * - `failing`: these operations reject at once (a refused connection);
 * - `stalled`: these operations never answer (a connection that stopped forwarding);
 * - `refusing`: per operation, a check of the arguments that returns an error for the store to
 *   throw instead of applying the call (a store that refuses one value), or null to let it through;
 * - `slow`: per operation, a real delay before the call goes through (a starved connection pool).
 */
export function withFaults(store: JobStore): {
  store: JobStore;
  failing: Set<keyof JobStore>;
  stalled: Set<keyof JobStore>;
  refusing: Map<keyof JobStore, (...args: unknown[]) => Error | null>;
  slow: Map<keyof JobStore, number>;
  calls: Map<string, number>;
} {
  const failing = new Set<keyof JobStore>();
  const stalled = new Set<keyof JobStore>();
  const refusing = new Map<keyof JobStore, (...args: unknown[]) => Error | null>();
  const slow = new Map<keyof JobStore, number>();
  const calls = new Map<string, number>();
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = String(property);
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const operation = property as keyof JobStore;
        if (failing.has(operation)) return Promise.reject(new Error(`injected fault: ${name} unavailable`));
        if (stalled.has(operation)) return new Promise(() => undefined);
        const refusal = refusing.get(operation)?.(...args);
        if (refusal) return Promise.reject(refusal);
        const delay = slow.get(operation);
        if (delay !== undefined) {
          return new Promise((resolve) => setTimeout(resolve, delay)).then(() =>
            (value as (...a: unknown[]) => unknown).apply(target, args),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, failing, stalled, refusing, slow, calls };
}
