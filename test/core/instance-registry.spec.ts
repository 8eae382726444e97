/**
 * The instance registry from the engine's side: a running scheduler publishes its record every few
 * seconds, `listInstances()` sees the live ones, a graceful stop removes the record, and a failing
 * store is logged once per outage without disturbing the loop.
 */
import { hostname } from 'node:os';

import { InvalidArgumentError } from '../../lib/core/errors/index.js';
import {
  DEFAULT_INSTANCE_PUBLISH_MS,
  INSTANCE_LIVE_WINDOW_MS,
  INSTANCE_RECORD_TTL_MS,
} from '../../lib/core/instance-publisher.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { withFaults } from '../support/faulty-store.js';
import { at, RecordingJob, T0, virtualSetup } from '../support/scheduler-fixtures.js';

describe('StdScheduler: the instance registry (virtual clock)', () => {
  it('publishes its record while it runs, keeps it fresh, and removes it on stop', async () => {
    const env = virtualSetup({ instanceId: 'worker-1' });
    env.scheduler.registerJob(new RecordingJob('zeta', env.clock));
    env.scheduler.registerJob(new RecordingJob('alpha', env.clock));
    expect(await env.scheduler.listInstances()).toEqual([]);
    await env.scheduler.start();
    await env.advance(0);

    expect(await env.scheduler.listInstances()).toEqual([
      {
        instanceId: 'worker-1',
        hostname: hostname(),
        pid: process.pid,
        startedAt: T0,
        lastSeenAt: T0,
        kinds: ['alpha', 'zeta'],
        inFlight: 0,
        health: {
          running: true,
          lastPollAt: null, // published as the loop starts, before its first poll
          lastStoreError: null,
          consecutiveStoreErrors: 0,
        },
      },
    ]);
    await env.advance(DEFAULT_INSTANCE_PUBLISH_MS);
    const [record] = await env.scheduler.listInstances();
    expect(record?.lastSeenAt).toEqual(at(DEFAULT_INSTANCE_PUBLISH_MS));
    expect(record?.startedAt).toEqual(T0);
    expect(record?.health.lastPollAt).toBeInstanceOf(Date);

    await env.scheduler.stop();
    expect(await env.store.listInstances(INSTANCE_RECORD_TTL_MS)).toEqual([]);
  });

  it('lists the instances of other schedulers on the store; one that stops publishing drops out', async () => {
    const a = virtualSetup({ instanceId: 'a' });
    const b = virtualSetup({ instanceId: 'b' }, { clock: a.clock, store: a.store });
    await a.scheduler.start();
    await b.scheduler.start();
    await a.advance(0);
    expect((await a.scheduler.listInstances()).map((i) => i.instanceId)).toEqual(['a', 'b']);

    // A crash, as far as the store can tell: its record stays, and ages.
    await a.store.recordInstance({ ...(await a.store.listInstances(60_000))[1]!, instanceId: 'crashed' });
    await b.scheduler.stop();
    expect((await a.scheduler.listInstances()).map((i) => i.instanceId)).toEqual(['a', 'crashed']);
    await a.advance(INSTANCE_LIVE_WINDOW_MS + 1);
    expect((await a.scheduler.listInstances()).map((i) => i.instanceId)).toEqual(['a']);
    expect(
      (await a.scheduler.listInstances({ maxAgeMs: INSTANCE_RECORD_TTL_MS })).map((i) => i.instanceId),
    ).toEqual(['a', 'crashed']);
    // Live instances delete records older than an hour.
    await a.advance(INSTANCE_RECORD_TTL_MS);
    await a.advance(10 * 60_000);
    expect((await a.store.listInstances(10 * INSTANCE_RECORD_TTL_MS)).map((i) => i.instanceId)).toEqual([
      'a',
    ]);
    await a.scheduler.stop();
  });

  it('publishes nothing with instanceRegistry: false, at its own pace otherwise, and refuses a bad pace', async () => {
    const off = virtualSetup({ instanceId: 'quiet', instanceRegistry: false });
    await off.scheduler.start();
    await off.advance(DEFAULT_INSTANCE_PUBLISH_MS);
    expect(await off.store.listInstances(60_000)).toEqual([]);
    await off.scheduler.stop();

    const slow = virtualSetup({ instanceId: 'slow', instanceRegistry: { publishEveryMs: 60_000 } });
    await slow.scheduler.start();
    await slow.advance(59_000);
    // Three beats of its own pace: still live where the default window would have dropped it.
    expect((await slow.scheduler.listInstances()).map((i) => i.instanceId)).toEqual(['slow']);
    expect(await slow.store.listInstances(59_000 - 1)).toEqual([]);
    await slow.scheduler.stop();

    const { store } = virtualSetup();
    expect(() => new StdScheduler(store, { instanceRegistry: { publishEveryMs: 0 } })).toThrow(
      InvalidArgumentError,
    );
  });

  it('logs a failing publish once per outage and keeps running jobs', async () => {
    const base = virtualSetup();
    const faulty = withFaults(base.store);
    const env = virtualSetup(
      { instanceId: 'flaky-store' },
      { clock: base.clock, store: faulty.store as never },
    );
    const job = new RecordingJob('tick', env.clock);
    env.scheduler.registerJob(job, { trigger: '@every 1s' });
    faulty.failing.add('recordInstance');
    await env.scheduler.start();
    await env.scheduler.scheduleJob('tick', 'tick');
    for (let i = 0; i < 3; i += 1) await env.advance(DEFAULT_INSTANCE_PUBLISH_MS);
    expect(job.runs.length).toBeGreaterThanOrEqual(3); // one per advance (fire-once)
    const warnings = env.logger.lines.filter((l) =>
      l.message.includes("Publishing this instance's record failed"),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('injected fault: recordInstance unavailable');

    faulty.failing.delete('recordInstance');
    await env.advance(DEFAULT_INSTANCE_PUBLISH_MS);
    expect(env.logger.has('log', "Publishing this instance's record works again")).toBe(true);
    expect((await env.scheduler.listInstances()).map((i) => i.instanceId)).toEqual(['flaky-store']);
    faulty.failing.add('removeInstance');
    await env.scheduler.stop();
    expect(env.logger.has('warn', "Removing this instance's record failed")).toBe(true);
  });
});
