import type { SampleStore } from './store-from-env.js';
import { StoreUnreachableError } from './store-unreachable.error.js';

/** The slug the probe reads; it need not exist. */
const PROBE_SLUG = 'sample-app-startup-probe';

/**
 * Prepares the store (migrations, LISTEN) and reads one task, within `timeoutMs`: an app whose
 * store is down then stops at once with a message that says which store and what to do, instead
 * of waiting on the driver's own retries (a Firestore client retries an unreachable emulator for
 * minutes) and dying later of an unhandled rejection.
 *
 * @throws StoreUnreachableError
 */
export async function reachStore(target: SampleStore, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let driverFailure: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    driverFailure = reject;
  });
  // @google-cloud/firestore 8 reports missing credentials as an unhandled rejection rather than
  // through the call that needed them: during the probe, that is the probe's answer.
  process.on('unhandledRejection', driverFailure);
  const probe = (async () => {
    await target.store.init();
    await target.store.get(PROBE_SLUG);
  })();
  probe.catch(() => undefined); // it may fail after the timeout won
  try {
    await Promise.race([probe, failed]);
  } catch (error) {
    throw new StoreUnreachableError(target.where, timeoutMs, firstLine(error), target.hint, { cause: error });
  } finally {
    clearTimeout(timer);
    process.off('unhandledRejection', driverFailure);
  }
}

/**
 * Drivers' messages can run over many lines (gRPC's do); the first one says what happened. A
 * connection refused on every address of `localhost` is an AggregateError without a message.
 */
function firstLine(error: unknown): string {
  const inner = error instanceof AggregateError && !error.message ? error.errors[0] : error;
  const text = inner instanceof Error ? inner.message : String(inner);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}
