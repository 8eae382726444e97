/**
 * Leases on Firestore with real schedulers in real time (SystemClock), on the strict emulator the
 * global setup starts: a lease that is renewed holds, one that is not runs out and another instance
 * takes the task over, and the stale owner's late outcome is refused (fencing).
 *
 * The stale instance is cut off from the store with the fault-injecting wrapper around the REAL
 * FirestoreStore (test/support/faulty-store.ts): its calls fail as in a network partition, and the
 * data stays in the emulator. Nothing asserts how long anything took; the only time comparisons
 * are between the lease recorded in the store and when the other instance claimed the task.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Firestore } from '@google-cloud/firestore';

import type { JobResult, StoreTask } from '../../lib/core/job.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { FirestoreStore } from '../../lib/stores/firestore/index.js';
import { withFaults } from '../support/faulty-store.js';
import { createTestFirestore, uniqueCollection } from '../support/firestore-emulator.js';
import { CapturingLogger } from '../support/scheduler-fixtures.js';
import { deferred, waitUntil } from '../nest/nest-test-helpers.js';

const LEASE_MS = 1_500;
const FAR_FUTURE = new Date('2100-01-01T00:00:00.000Z');

describe('FirestoreStore: lease expiry, takeover and fencing with real schedulers', () => {
  const clients: Firestore[] = [];
  const schedulers: StdScheduler[] = [];

  function client(): Firestore {
    const firestore = createTestFirestore();
    clients.push(firestore);
    return firestore;
  }

  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop({ timeoutMs: 0 })));
    await Promise.all(clients.splice(0).map((firestore) => firestore.terminate()));
  });

  /**
   * A claims task `t` and its job keeps running; then A is cut off from the store (renewals, claims
   * and polls fail; its settle still gets through). B, healthy, takes the task over once A's lease
   * has run out and writes its own outcome. Returns what the endings need, with A's job still running.
   */
  async function takeoverScenario() {
    const collection = uniqueCollection('e2e-lease');
    const partition = withFaults(new FirestoreStore({ firestore: client(), collection }));
    const observer = new FirestoreStore({ firestore: client(), collection });

    const loggerA = new CapturingLogger();
    const a = new StdScheduler(partition.store, { instanceId: 'a', leaseMs: LEASE_MS, logger: loggerA });
    schedulers.push(a);
    const startedA = deferred<StoreTask>();
    const finishA = deferred();
    let signalA: AbortSignal | undefined;
    a.registerJob({
      kind: 'slow',
      execute: async (task, ctx): Promise<JobResult> => {
        signalA = ctx.signal;
        startedA.resolve(task);
        // Ends when the test says so, or when A learns that it lost the lease.
        await Promise.race([
          finishA.promise,
          new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())),
        ]);
        return { ...task, result: 'by a', runAt: FAR_FUTURE };
      },
    });
    const lostA: string[] = [];
    a.on('lease.lost', (event) => lostA.push(event.slug));
    await a.start();
    await a.scheduleJob('t', 'slow', { payload: { n: 1 } });
    const claimedByA = await startedA.promise;

    for (const op of ['extendLease', 'claim', 'nextRun'] as const) partition.failing.add(op);
    // Renewals run one at a time: once a renewal after the cut has failed, none is still in flight,
    // and the lease in the store is A's last.
    const renewalsBefore = partition.calls.get('extendLease') ?? 0;
    await waitUntil(() => (partition.calls.get('extendLease') ?? 0) > renewalsBefore, {
      message: 'a renewal of A failed',
    });
    const leaseOfA = await observer.get('t');
    expect(leaseOfA).toMatchObject({ lockedBy: 'a', version: claimedByA.version });
    const aLeaseEnd = leaseOfA?.lockedUntil as Date;

    // Instance B, healthy, on the same collection: it may claim only once A's lease has run out.
    const b = new StdScheduler(new FirestoreStore({ firestore: client(), collection }), {
      instanceId: 'b',
      leaseMs: LEASE_MS,
      logger: new CapturingLogger(),
      heartbeat: 200,
    });
    schedulers.push(b);
    const runsB: StoreTask[] = [];
    b.registerJob({
      kind: 'slow',
      execute: async (task): Promise<JobResult> => {
        runsB.push(task);
        return { ...task, result: 'by b', runAt: FAR_FUTURE };
      },
    });
    await b.start();

    await waitUntil(() => runsB.length > 0, { message: 'B took the task over' });
    const taken = runsB[0];
    // B's claim wrote lockedUntil = (B's now at the claim) + leaseMs: it claimed at or after the end
    // of A's lease, never while A's lease was live.
    expect(taken.lockedBy).toBe('b');
    expect(taken.lockedUntil!.getTime() - LEASE_MS).toBeGreaterThanOrEqual(aLeaseEnd.getTime());
    expect(taken.version).toBeGreaterThan(claimedByA.version);
    expect(taken.payload).toEqual({ n: 1 });

    // B's outcome is written while A's job still runs.
    await waitUntil(async () => (await observer.get('t'))?.result === 'by b', {
      message: "B's outcome written",
    });
    const afterB = await observer.get('t');
    expect(afterB).toMatchObject({ result: 'by b', runAt: FAR_FUTURE, lockedBy: null, lockedUntil: null });
    expect(signalA?.aborted).toBe(false);
    return { partition, observer, loggerA, lostA, finishA, signalA: () => signalA, runsB, afterB };
  }

  it('takes over a task whose owner stopped renewing, after its lease ran out, and refuses the stale outcome', async () => {
    const { partition, observer, loggerA, lostA, finishA, signalA, runsB, afterB } = await takeoverScenario();

    // A's job ends late; A's settle reaches the store (only renewing, claiming and polling fail)
    // and is refused, because the task has moved on to another owner and version.
    expect(partition.failing.has('settle')).toBe(false);
    finishA.resolve();
    await waitUntil(() => lostA.includes('t'), { message: 'A reported the lease lost' });
    await waitUntil(() => loggerA.has('warn', 'outcome not applied: the lease was lost'), {
      message: "A's settle refused",
    });
    expect(await observer.get('t')).toEqual(afterB);
    expect(signalA()?.aborted).toBe(false);
    expect(runsB).toHaveLength(1);
  });

  it('tells a stale owner whose store comes back that its lease is gone: renewal refused, job aborted, outcome refused', async () => {
    const { partition, observer, loggerA, lostA, runsB, afterB, signalA } = await takeoverScenario();

    // The partition heals while A's job still runs: A's next renewal is refused, which aborts the
    // job's signal; the job then returns, and its outcome is discarded (the store would refuse it).
    partition.failing.clear();
    await waitUntil(() => signalA()?.aborted === true, { message: "A's job signal aborted" });
    expect(lostA).toContain('t');
    expect(loggerA.has('warn', 'lease lost while running')).toBe(true);
    await waitUntil(() => loggerA.has('warn', 'outcome discarded: this instance lost the lease'), {
      message: "A's outcome discarded",
    });
    expect(await observer.get('t')).toEqual(afterB);
    expect(runsB).toHaveLength(1);
  });

  it('keeps a lease that its owner renews: a job running several lease lengths is never taken over', async () => {
    const collection = uniqueCollection('e2e-renew');
    const observer = new FirestoreStore({ firestore: client(), collection });
    const leaseMs = 2_000;
    const runs: Array<{ instanceId: string; version: number }> = [];
    const done = deferred();
    const makeScheduler = (instanceId: string, hold: boolean): StdScheduler => {
      const scheduler = new StdScheduler(new FirestoreStore({ firestore: client(), collection }), {
        instanceId,
        leaseMs,
        heartbeat: 200,
        logger: new CapturingLogger(),
      });
      scheduler.registerJob({
        kind: 'long',
        execute: async (task, ctx) => {
          runs.push({ instanceId: ctx.instanceId, version: task.version });
          if (hold) {
            // Three lease lengths of real time: only renewals keep the task.
            await sleep(3 * leaseMs, undefined, { signal: ctx.signal }).catch(() => undefined);
            done.resolve();
          }
        },
      });
      schedulers.push(scheduler);
      return scheduler;
    };
    const owner = makeScheduler('owner', true);
    await owner.start();
    await owner.scheduleJob('long-task', 'long');
    await waitUntil(() => runs.length === 1, { message: 'the owner started the job' });
    const other = makeScheduler('other', false);
    await other.start();

    const renewed = new Set<number>();
    while (!(await Promise.race([done.promise.then(() => true), sleep(250).then(() => false)]))) {
      const task = await observer.get('long-task');
      if (task?.lockedUntil) renewed.add(task.lockedUntil.getTime());
    }
    await owner.stop({ timeoutMs: 10_000 });

    expect(runs).toEqual([{ instanceId: 'owner', version: 2 }]);
    // The lease end moved several times while the job ran: it was renewed, not just long.
    expect(renewed.size).toBeGreaterThanOrEqual(3);
    expect(await observer.get('long-task')).toBeNull();
  });
});
