/**
 * Health: the framework-free check (store reachable, loop running, age of the last poll) and the
 * SchedulerHealthIndicator behind a real @nestjs/terminus endpoint.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { VirtualClock } from '../../lib/core/clock.js';
import type { Job } from '../../lib/core/job.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { JobStore } from '../../lib/core/store/job-store.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { checkSchedulerHealth, SchedulerHealthIndicator, SchedulerModule } from '../../lib/nest/index.js';
import { withFaults } from '../support/faulty-store.js';
import { until } from '../../lib/testing/operating/operating-harness.js';

const noop: Job = { kind: 'health-kind', execute: async () => undefined };

function setup(wrap: (store: JobStore) => JobStore = (store) => store) {
  const clock = new VirtualClock();
  const faults = withFaults(new MemoryStore({ clock }));
  const scheduler = new StdScheduler(wrap(faults.store), { clock, logger: silentLogger });
  return { clock, faults, scheduler };
}

describe('checkSchedulerHealth', () => {
  const started: StdScheduler[] = [];
  afterEach(async () => {
    for (const scheduler of started.splice(0)) await scheduler.stop({ timeoutMs: 0 });
  });

  it('is healthy when the store answers and the loop polls', async () => {
    const { scheduler } = setup();
    scheduler.registerJob(noop);
    started.push(scheduler);
    await scheduler.start();
    await scheduler.whenIdle();
    const report = await checkSchedulerHealth(scheduler);
    expect(report).toMatchObject({ healthy: true, problems: [], storeReachable: true, storeError: null });
    expect(report.storeLatencyMs).toEqual(expect.any(Number));
    expect(report.loop).toMatchObject({ running: true, lastPollAgeMs: 0, kinds: ['health-kind'] });
  });

  it('reports a loop that is not running, unless told that is expected', async () => {
    const { scheduler } = setup();
    const report = await checkSchedulerHealth(scheduler);
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual(['the scheduler loop is not running']);
    expect(await checkSchedulerHealth(scheduler, { requireRunning: false })).toMatchObject({ healthy: true });
  });

  it('reports a store that fails, and one that does not answer in time', async () => {
    const hanging = new Set<string>();
    const { faults, scheduler } = setup(
      (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (hanging.has(String(property))) return () => new Promise(() => undefined);
            return Reflect.get(target, property, receiver) as unknown;
          },
        }),
    );
    faults.failing.add('get');
    const failed = await checkSchedulerHealth(scheduler, { requireRunning: false });
    expect(failed).toMatchObject({
      healthy: false,
      storeReachable: false,
      storeLatencyMs: null,
      storeError: 'injected fault: get unavailable',
      problems: ['store unreachable: injected fault: get unavailable'],
    });

    faults.failing.clear();
    hanging.add('get');
    const slow = await checkSchedulerHealth(scheduler, { requireRunning: false, storeTimeoutMs: 20 });
    expect(slow).toMatchObject({
      healthy: false,
      storeReachable: false,
      storeError: 'no answer within 20 ms',
    });
  });

  it('reports a loop whose last successful poll is older than the max age', async () => {
    const { clock, faults, scheduler } = setup();
    scheduler.registerJob(noop);
    started.push(scheduler);
    await scheduler.start();
    await scheduler.whenIdle();
    faults.failing.add('claim');
    faults.failing.add('nextRun');
    // Past the idle poll interval (10 × heartbeat: the memory store pushes wake-ups).
    clock.advanceBy(15_000);
    await until(() => scheduler.health().consecutiveStoreErrors > 0, 'a failed poll');
    expect(await checkSchedulerHealth(scheduler, { maxPollAgeMs: 60_000 })).toMatchObject({ healthy: true });

    clock.advanceBy(60_000);
    const report = await checkSchedulerHealth(scheduler, { maxPollAgeMs: 60_000 });
    expect(report.healthy).toBe(false);
    expect(report.storeReachable).toBe(true);
    expect(report.loop.lastPollAgeMs).toBe(75_000);
    expect(report.problems).toEqual([
      "the loop's last successful poll was 75000 ms ago (more than 60000 ms): claim: injected fault: claim unavailable",
    ]);
  });

  it('does not judge the poll age of a loop with no kinds to poll for', async () => {
    const { clock, scheduler } = setup();
    started.push(scheduler);
    await scheduler.start();
    clock.advanceBy(120_000);
    expect(await checkSchedulerHealth(scheduler, { maxPollAgeMs: 1_000 })).toMatchObject({ healthy: true });
  });
});

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly scheduler: SchedulerHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.scheduler.isHealthy('scheduler', { storeTimeoutMs: 1_000 })]);
  }
}

describe('SchedulerHealthIndicator with @nestjs/terminus', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function boot(store: JobStore, autoStart = true): Promise<string> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        SchedulerModule.forRoot(store, { logger: silentLogger, autoStart }),
      ],
      controllers: [HealthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return `${await app.getUrl()}/health`;
  }

  it('answers 200 with the scheduler up, and 503 with it down when the store fails', async () => {
    const faults = withFaults(new MemoryStore());
    const url = await boot(faults.store);

    const up = await fetch(url);
    expect(up.status).toBe(200);
    const upBody = (await up.json()) as { status: string; info: Record<string, Record<string, unknown>> };
    expect(upBody.status).toBe('ok');
    expect(upBody.info.scheduler).toMatchObject({
      status: 'up',
      running: true,
      storeReachable: true,
      storeError: null,
      lastStoreError: null,
      consecutiveStoreErrors: 0,
      inFlight: 0,
    });
    expect(upBody.info.scheduler!.instanceId).toEqual(expect.any(String));

    faults.failing.add('get');
    const down = await fetch(url);
    expect(down.status).toBe(503);
    const downBody = (await down.json()) as {
      status: string;
      error: Record<string, Record<string, unknown>>;
    };
    expect(downBody.status).toBe('error');
    expect(downBody.error.scheduler).toMatchObject({
      status: 'down',
      storeReachable: false,
      message: 'store unreachable: injected fault: get unavailable',
    });
  });

  it('does not count a loop that was never meant to start (autoStart: false) as down', async () => {
    const url = await boot(new MemoryStore(), false);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { info: Record<string, Record<string, unknown>> };
    expect(body.info.scheduler).toMatchObject({ status: 'up', running: false });
  });
});
