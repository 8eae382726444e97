/**
 * Prometheus metrics through a real prom-client Registry: counters and histograms from the engine's
 * events, gauges read at scrape time, and the Nest module.
 */
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { VirtualClock } from '../../lib/core/clock.js';
import { FixedBackoff } from '../../lib/core/backoff.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import {
  registerSchedulerMetrics,
  SchedulerMetrics,
  SchedulerMetricsModule,
} from '../../lib/metrics/index.js';
import { JobHandler, SchedulerModule, SchedulerService } from '../../lib/nest/index.js';
import { withFaults } from '../support/faulty-store.js';
import { ControlledJob, SECOND, until } from '../../lib/testing/operating/operating-harness.js';

/** The samples of one metric, as `{ labels → value }` lines. */
async function samples(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const out: Record<string, number> = {};
  for (const { labels, value, metricName } of values as Array<{
    labels: Record<string, string | number>;
    value: number;
    metricName?: string;
  }>) {
    const key = [metricName ?? name, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)].join(' ');
    out[key] = value;
  }
  return out;
}

function setup() {
  const clock = new VirtualClock();
  const memory = new MemoryStore({ clock });
  const faults = withFaults(memory);
  const scheduler = new StdScheduler(faults.store, { clock, logger: silentLogger, instanceId: 'metrics-1' });
  const registry = new Registry();
  return { clock, memory, faults, scheduler, registry };
}

describe('registerSchedulerMetrics', () => {
  const running: StdScheduler[] = [];
  afterEach(async () => {
    for (const scheduler of running.splice(0)) await scheduler.stop({ timeoutMs: 0 });
  });

  it('counts executions by kind and outcome, and observes duration and lateness', async () => {
    const { clock, scheduler, registry } = setup();
    running.push(scheduler);
    const metrics = registerSchedulerMetrics(scheduler, { registry, clock });
    // Takes two seconds of the virtual clock.
    scheduler.registerJob(new ControlledJob('m-ok', () => void clock.advanceBy(2 * SECOND)));
    scheduler.registerJob(
      new ControlledJob('m-broken', () => {
        throw new Error('nope');
      }),
      { maxRetries: 1, backoff: new FixedBackoff([SECOND]) },
    );
    const start = clock.now();
    await scheduler.scheduleJob('ok-1', 'm-ok', { runAt: start });
    await scheduler.scheduleJob('broken-1', 'm-broken', { runAt: start });
    // Started five seconds late.
    clock.advanceBy(5 * SECOND);
    await scheduler.start();
    await scheduler.whenIdle();
    clock.advanceBy(10 * SECOND);
    await scheduler.whenIdle();

    expect(await samples(registry, 'scheduler_executions_total')).toEqual({
      'scheduler_executions_total kind=m-ok outcome=succeeded': 1,
      'scheduler_executions_total kind=m-broken outcome=failed': 2,
    });
    expect(await samples(registry, 'scheduler_retries_total')).toEqual({
      'scheduler_retries_total kind=m-broken': 1,
    });
    expect(await samples(registry, 'scheduler_dead_total')).toEqual({
      'scheduler_dead_total kind=m-broken': 1,
    });

    const duration = await samples(registry, 'scheduler_execution_duration_seconds');
    expect(duration['scheduler_execution_duration_seconds_sum kind=m-ok outcome=succeeded']).toBe(2);
    expect(duration['scheduler_execution_duration_seconds_count kind=m-ok outcome=succeeded']).toBe(1);
    expect(duration['scheduler_execution_duration_seconds_bucket le=1 kind=m-ok outcome=succeeded']).toBe(0);
    expect(duration['scheduler_execution_duration_seconds_bucket le=2.5 kind=m-ok outcome=succeeded']).toBe(
      1,
    );

    const lateness = await samples(registry, 'scheduler_execution_lateness_seconds');
    // ok-1 ran 5 s late (its clock jump happened inside the run, after it started); broken-1's first
    // attempt too, or 7 s if it started after ok-1's jump; its retry ran when due.
    expect(lateness['scheduler_execution_lateness_seconds_count kind=m-ok']).toBe(1);
    expect(lateness['scheduler_execution_lateness_seconds_sum kind=m-ok']).toBe(5);
    expect(lateness['scheduler_execution_lateness_seconds_count kind=m-broken']).toBe(2);

    const text = await registry.metrics();
    expect(text).toContain('scheduler_executions_total{kind="m-ok",outcome="succeeded"} 1');
    expect(text).toContain('# TYPE scheduler_execution_lateness_seconds histogram');
    metrics.dispose();
  });

  it('counts misfires, lost leases and store errors', async () => {
    const { clock, memory, faults, scheduler, registry } = setup();
    running.push(scheduler);
    registerSchedulerMetrics(scheduler, { registry, clock });
    const held = new ControlledJob('m-held');
    scheduler.registerJob(held);
    scheduler.registerJob(new ControlledJob('m-hourly'));
    await scheduler.scheduleJob('hourly', 'm-hourly', { trigger: { every: '1h' }, runAt: clock.now() });
    clock.advanceBy(3 * 3600 * SECOND + 1);
    held.hold('doomed');
    held.hold('deleted');
    await scheduler.scheduleJob('doomed', 'm-held', { runAt: clock.now() });
    await scheduler.scheduleJob('deleted', 'm-held', { runAt: clock.now() });
    await scheduler.start();
    await until(() => held.runs.length === 2, 'the held runs');

    // Deleted while it runs: its outcome is discarded, but nothing was lost: not counted.
    await scheduler.deleteJob('deleted');
    held.release('deleted');
    // Renewals fail past the lease, and another instance takes 'doomed' over: a lost lease.
    faults.failing.add('extendLease');
    faults.failing.add('claim');
    clock.advanceBy(31 * SECOND);
    expect(
      await memory.claim({ kinds: ['m-held'], owner: 'intruder', leaseMs: 600_000, limit: 1 }),
    ).toHaveLength(1);
    faults.failing.delete('extendLease');
    const lost = async () =>
      (await samples(registry, 'scheduler_leases_lost_total'))['scheduler_leases_lost_total kind=m-held'];
    await until(async () => {
      clock.advanceBy(SECOND);
      return (await lost()) === 1;
    }, 'the renewal that finds the lease lost');
    // The job ignores its aborted signal: after the grace its slot is freed.
    clock.advanceBy(5 * SECOND);
    await until(() => scheduler.health().inFlight === 0, 'the lost run to be given up');
    held.release('doomed');
    await until(() => scheduler.health().detachedRuns === 0, 'the lost run to return');

    expect(await samples(registry, 'scheduler_misfires_total')).toEqual({
      'scheduler_misfires_total kind=m-hourly': 1,
    });
    expect(await samples(registry, 'scheduler_leases_lost_total')).toEqual({
      'scheduler_leases_lost_total kind=m-held': 1,
    });

    clock.advanceBy(15 * SECOND);
    await until(() => scheduler.health().consecutiveStoreErrors > 0, 'a failed poll');
    expect(
      (await samples(registry, 'scheduler_store_errors_total'))[
        'scheduler_store_errors_total operation=claim'
      ],
    ).toBeGreaterThanOrEqual(1);
  });

  it('reads the gauges at scrape time: in flight, loop, poll age, tasks due, oldest due', async () => {
    const { clock, faults, scheduler, registry } = setup();
    running.push(scheduler);
    registerSchedulerMetrics(scheduler, { registry, clock, store: faults.store });
    const job = new ControlledJob('m-gauge');
    scheduler.registerJob(job);
    const now = clock.now().getTime();
    await scheduler.scheduleJob('due-a', 'm-gauge', { runAt: new Date(now - 30 * SECOND) });
    await scheduler.scheduleJob('due-b', 'm-gauge', { runAt: new Date(now - 10 * SECOND) });
    await scheduler.scheduleJob('later', 'm-gauge', { runAt: new Date(now + 3600 * SECOND) });
    for (const slug of ['orphan-1', 'orphan-2', 'orphan-3']) {
      await scheduler.scheduleJob(slug, 'm-nobody-runs-this', { runAt: new Date(now - SECOND) });
    }

    expect(await samples(registry, 'scheduler_loop_running')).toEqual({ scheduler_loop_running: 0 });
    expect(await samples(registry, 'scheduler_last_poll_age_seconds')).toEqual({
      scheduler_last_poll_age_seconds: -1,
    });
    expect(await samples(registry, 'scheduler_tasks_due')).toEqual({
      'scheduler_tasks_due kind=m-gauge': 2,
      'scheduler_tasks_due kind=m-nobody-runs-this': 3,
    });
    expect(await samples(registry, 'scheduler_oldest_due_age_seconds')).toEqual({
      scheduler_oldest_due_age_seconds: 30,
    });

    job.hold('due-a');
    await scheduler.start();
    await until(() => job.runs.length === 2 && scheduler.health().inFlight === 1, 'due-b done, due-a held');
    expect(await samples(registry, 'scheduler_jobs_in_flight')).toEqual({ scheduler_jobs_in_flight: 1 });
    job.release('due-a');
    await scheduler.whenIdle();
    clock.advanceBy(4 * SECOND);

    expect(await samples(registry, 'scheduler_loop_running')).toEqual({ scheduler_loop_running: 1 });
    expect(await samples(registry, 'scheduler_jobs_in_flight')).toEqual({ scheduler_jobs_in_flight: 0 });
    expect(await samples(registry, 'scheduler_last_poll_age_seconds')).toEqual({
      scheduler_last_poll_age_seconds: 4,
    });
    // Only the tasks no instance here runs are still due; none of this instance's kinds is.
    expect(await samples(registry, 'scheduler_tasks_due')).toEqual({
      'scheduler_tasks_due kind=m-nobody-runs-this': 3,
    });
    expect(await samples(registry, 'scheduler_oldest_due_age_seconds')).toEqual({
      scheduler_oldest_due_age_seconds: 0,
    });

    // A store that fails at scrape time leaves the last values, and the scrape still succeeds.
    faults.failing.add('list');
    faults.failing.add('nextRun');
    await expect(registry.metrics()).resolves.toContain('scheduler_tasks_due{kind="m-nobody-runs-this"} 3');
  });

  it('leaves the gauges out when told to, and caps the due scan', async () => {
    const { clock, scheduler, registry } = setup();
    registerSchedulerMetrics(scheduler, { registry, clock, dueScanLimit: 0 });
    expect(registry.getSingleMetric('scheduler_tasks_due')).toBeUndefined();
    expect(registry.getSingleMetric('scheduler_oldest_due_age_seconds')).toBeUndefined();

    const capped = new Registry();
    registerSchedulerMetrics(scheduler, { registry: capped, clock, dueScanLimit: 2, prefix: 'capped_' });
    for (const slug of ['a', 'b', 'c', 'd']) {
      await scheduler.scheduleJob(slug, 'm-any', { runAt: clock.now() });
    }
    expect(await samples(capped, 'capped_tasks_due')).toEqual({ 'capped_tasks_due kind=m-any': 2 });
  });

  it('removes its metrics on dispose, and never removes metrics it did not register', async () => {
    const { scheduler, registry } = setup();
    const first = registerSchedulerMetrics(scheduler, { registry });
    expect(() => registerSchedulerMetrics(scheduler, { registry })).toThrow(/already been registered/);
    // The failed second registration did not take the first one's metrics away.
    expect(registry.getSingleMetric('scheduler_executions_total')).toBeDefined();
    expect(registry.getSingleMetric('scheduler_jobs_in_flight')).toBeDefined();

    first.dispose();
    first.dispose();
    expect(registry.getMetricsAsArray()).toEqual([]);
    const again = registerSchedulerMetrics(scheduler, { registry });
    expect(registry.getSingleMetric('scheduler_executions_total')).toBeDefined();
    again.dispose();
  });
});

@JobHandler('m-nest')
class NestJob {
  async execute(): Promise<void> {}
}

describe('SchedulerMetricsModule', () => {
  it('registers the metrics of the module scheduler, and removes them at shutdown', async () => {
    const clock = new VirtualClock();
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerModule.forRoot(new MemoryStore({ clock }), { clock, logger: silentLogger }),
        SchedulerMetricsModule.forRoot({ registry }),
      ],
      providers: [NestJob],
    }).compile();
    const app = await moduleRef.init();
    const scheduler = app.get(SchedulerService);
    await scheduler.scheduleJob('nest-1', NestJob, { runAt: new Date(clock.now().getTime() - 20 * SECOND) });
    await scheduler.whenIdle();

    const metrics = app.get(SchedulerMetrics);
    expect(metrics.registry).toBe(registry);
    const text = await registry.metrics();
    expect(text).toContain('scheduler_executions_total{kind="m-nest",outcome="succeeded"} 1');
    expect(text).toContain('scheduler_execution_lateness_seconds_sum{kind="m-nest"} 20');
    // The module passes the store: the oldest-due gauge is there.
    expect(text).toContain('scheduler_oldest_due_age_seconds 0');

    await app.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });
});
