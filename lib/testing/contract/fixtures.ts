import type { StoreTask } from '../../core/job.js';
import type { ClaimRequest, JobStore, LeaseRef, NewTask } from '../../core/store/job-store.js';

/**
 * Times are far from any store's "now" (a virtual clock in 2030, or a database's real clock), so
 * that the suite never needs to know that now: `past` is always due, `future` never is.
 */
const PAST_BASE = Date.UTC(2001, 0, 1);
const FUTURE_BASE = Date.UTC(2100, 0, 1);

/** The kind most cases use. */
export const KIND = 'contract-kind';
/** A second kind, for filtering. */
export const OTHER_KIND = 'contract-other-kind';

/** A lease that outlives any test. */
export const LONG_LEASE_MS = 60_000;
/** A lease short enough to watch expire on a real-time store. */
export const SHORT_LEASE_MS = 500;
/** How long to let time pass for a {@link SHORT_LEASE_MS} lease to be over, with margin. */
export const PAST_SHORT_LEASE_MS = 800;

/** A due time: `seconds` after 2001-01-01 (fractions keep their milliseconds). */
export function past(seconds: number): Date {
  return new Date(PAST_BASE + Math.round(seconds * 1000));
}

/** A time that is never due during a test: `seconds` after 2100-01-01. */
export function future(seconds: number): Date {
  return new Date(FUTURE_BASE + Math.round(seconds * 1000));
}

/** A one-time, due task of {@link KIND}. */
export function newTask(slug: string, overrides: Partial<NewTask> = {}): NewTask {
  return { slug, kind: KIND, payload: { slug }, runAt: past(0), schedule: null, ...overrides };
}

/** Claims for `owner` (defaults: {@link KIND}, up to 100 tasks, a long lease). */
export function claim(
  store: JobStore,
  owner: string,
  options: {
    kinds?: readonly string[];
    limit?: number;
    leaseMs?: number;
    limits?: ClaimRequest['limits'];
  } = {},
): Promise<StoreTask[]> {
  return store.claim({
    owner,
    kinds: options.kinds ?? [KIND],
    limit: options.limit ?? 100,
    leaseMs: options.leaseMs ?? LONG_LEASE_MS,
    ...(options.limits !== undefined && { limits: options.limits }),
  });
}

/** The fencing token of a claimed task. */
export function leaseOf(task: StoreTask): LeaseRef {
  return { slug: task.slug, version: task.version };
}

/** Slugs of tasks, in the order given. */
export function slugsOf(tasks: readonly StoreTask[]): string[] {
  return tasks.map((task) => task.slug);
}

/** A task as read, without the timestamps a store stamps itself. */
export function withoutTimestamps(task: StoreTask | null): Omit<StoreTask, 'createdAt' | 'updatedAt'> | null {
  if (task === null) return null;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { createdAt, updatedAt, ...rest } = task;
  return rest;
}

/** A deterministic shuffle, so that creation order never happens to match the expected order. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i -= 1) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Waits in real time (a store may deliver notifications asynchronously) until `check` holds;
 * fails after `timeoutMs`. Not a timing assertion: it returns as soon as the condition holds.
 */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
