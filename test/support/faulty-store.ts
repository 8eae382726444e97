import type { JobStore } from '../../lib/core/store/job-store.js';

/**
 * Wraps a real store and makes chosen operations fail, as a network partition or a database
 * outage would. The data stays in the real store underneath: this injects faults, it mocks nothing.
 */
export function withFaults(store: JobStore): {
  store: JobStore;
  failing: Set<keyof JobStore>;
  calls: Map<string, number>;
} {
  const failing = new Set<keyof JobStore>();
  const calls = new Map<string, number>();
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = String(property);
        calls.set(name, (calls.get(name) ?? 0) + 1);
        if (failing.has(property as keyof JobStore)) {
          return Promise.reject(new Error(`injected fault: ${name} unavailable`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, failing, calls };
}
