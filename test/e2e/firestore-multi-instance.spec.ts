/**
 * Three `StdScheduler`s on one Firestore collection, in real time (SystemClock), on the strict
 * emulator the global setup starts. Each scheduler has its own Firestore client (its own gRPC
 * connection), as separate processes would, so every claim race goes through the emulator's
 * transaction checks.
 *
 * Nothing here asserts how long anything took: the window only decides how much work there is.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Firestore } from '@google-cloud/firestore';

import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { FirestoreStore } from '../../lib/stores/firestore/index.js';
import { createTestFirestore, uniqueCollection } from '../support/firestore-emulator.js';
import { CapturingLogger } from '../support/scheduler-fixtures.js';
import { waitUntil } from '../nest/nest-test-helpers.js';

const INSTANCES = 3;
const ONE_TIME_JOBS = 100;
const RECURRING_JOBS = 3;
/** How long the schedulers run while the recurring jobs fire every second. */
const WINDOW_MS = 8_000;

interface Fire {
  slug: string;
  scheduledAt: number;
  instanceId: string;
}

describe('FirestoreStore: three schedulers on one collection', () => {
  const clients: Firestore[] = [];
  const schedulers: StdScheduler[] = [];

  afterAll(async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop({ timeoutMs: 5_000 })));
    await Promise.all(clients.map((client) => client.terminate()));
  });

  it('runs every one-time job exactly once and every recurring fire exactly once, with no second missed', async () => {
    const collection = uniqueCollection('e2e-multi');
    const runs: Fire[] = [];
    const fires: Fire[] = [];
    const loggers: CapturingLogger[] = [];

    for (let i = 0; i < INSTANCES; i++) {
      const firestore = createTestFirestore();
      clients.push(firestore);
      const logger = new CapturingLogger();
      loggers.push(logger);
      const scheduler = new StdScheduler(new FirestoreStore({ firestore, collection }), {
        instanceId: `instance-${i}`,
        logger,
      });
      const record =
        (into: Fire[]) =>
        async (task: StoreTask, ctx: JobContext): Promise<void> => {
          into.push({ slug: task.slug, scheduledAt: ctx.scheduledAt.getTime(), instanceId: ctx.instanceId });
          // Yield, so that runs overlap and claims of the three instances interleave.
          await sleep(1);
        };
      scheduler.registerJob({ kind: 'once', execute: record(runs) });
      // catch-up: a fire that is late (a loaded CI machine) runs anyway instead of being folded into
      // the next one, so "no second missed" tests exactly-once delivery, not latency.
      scheduler.registerJob({ kind: 'tick', execute: record(fires) }, { misfirePolicy: 'catch-up' });
      schedulers.push(scheduler);
    }
    await Promise.all(schedulers.map((scheduler) => scheduler.start()));

    for (let r = 0; r < RECURRING_JOBS; r++) {
      await schedulers[r % INSTANCES].scheduleJob(`tick-${r}`, 'tick', { trigger: '* * * * * *' });
    }
    // Spread over the first six seconds of the window, created by all three instances in turn.
    await Promise.all(
      Array.from({ length: ONE_TIME_JOBS }, (_, i) =>
        schedulers[i % INSTANCES].scheduleJob(`once-${String(i).padStart(3, '0')}`, 'once', {
          delay: (i * 6_000) / ONE_TIME_JOBS,
          payload: { i },
        }),
      ),
    );

    await sleep(WINDOW_MS);
    await waitUntil(() => runs.length >= ONE_TIME_JOBS, {
      timeoutMs: 60_000,
      intervalMs: 50,
      message: 'every one-time job ran',
    });
    await Promise.all(schedulers.map((scheduler) => scheduler.stop({ timeoutMs: 10_000 })));

    // Every one-time job exactly once, and gone from the store.
    const onceSlugs = runs.map((run) => run.slug).sort();
    expect(onceSlugs).toEqual(
      Array.from({ length: ONE_TIME_JOBS }, (_, i) => `once-${String(i).padStart(3, '0')}`),
    );
    const left = await schedulers[0].getJobSlugs();
    expect(left).toEqual(Array.from({ length: RECURRING_JOBS }, (_, r) => `tick-${r}`));

    // Every recurring fire exactly once, on whole seconds, with no second missing between the first
    // and the last fire observed.
    const fireKeys = fires.map((fire) => `${fire.slug}@${fire.scheduledAt}`);
    expect(new Set(fireKeys).size).toBe(fireKeys.length);
    for (let r = 0; r < RECURRING_JOBS; r++) {
      const seconds = fires
        .filter((fire) => fire.slug === `tick-${r}`)
        .map((fire) => fire.scheduledAt)
        .sort((a, b) => a - b);
      expect(seconds.length).toBeGreaterThanOrEqual(3);
      expect(seconds.every((ms) => ms % 1000 === 0)).toBe(true);
      const expected = Array.from({ length: seconds.length }, (_, k) => seconds[0] + k * 1000);
      expect(seconds).toEqual(expected);
      // The stored task waits for the fire after the last one that ran.
      const task = await schedulers[0].getScheduledJob(`tick-${r}`);
      expect(task.nextRunTime.getTime()).toBe(seconds[seconds.length - 1] + 1000);
      expect(task.lockedBy).toBeNull();
    }

    // The work really was shared, and lost claim races never surfaced as errors.
    const instances = new Set([...runs, ...fires].map((run) => run.instanceId));
    expect(instances.size).toBeGreaterThanOrEqual(2);
    const errors = loggers.flatMap((logger) => logger.lines.filter((line) => line.level === 'error'));
    expect(errors).toEqual([]);
    const perInstance = [...instances]
      .sort()
      .map((id) => `${id}: ${[...runs, ...fires].filter((run) => run.instanceId === id).length}`);
    process.stdout.write(
      `[firestore multi-instance] runs per instance: ${perInstance.join(', ')}; ` +
        `recurring fires: ${fires.length}\n`,
    );
  });
});
