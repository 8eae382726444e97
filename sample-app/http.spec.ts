/**
 * The sample app's HTTP face on SchedulerTestingModule: its own reserve endpoint, the console it
 * mounts at /scheduler (API and page), `GET /health` (terminus) and `GET /metrics` (Prometheus),
 * over a real HTTP server on an ephemeral port.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { SchedulerConsoleModule } from '../lib/console/index.js';
import { SchedulerTestingModule, SchedulerTestKit } from '../lib/index.js';
import { SchedulerMetricsModule } from '../lib/metrics/index.js';
import { CheckoutController } from './checkout.controller.js';
import { HealthController } from './health.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
import { LoopbackGuard } from './loopback.guard.js';
import { MetricsController } from './metrics.controller.js';

describe('sample app over HTTP', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function boot(): Promise<{ url: string; kit: SchedulerTestKit }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerTestingModule.forRoot({ now: '2030-06-01T12:00:01Z', history: { retention: '7d' } }),
        SchedulerConsoleModule.forRoot({ path: '/scheduler', guard: new LoopbackGuard(), cacheMs: 0 }),
        TerminusModule.forRoot({ logger: false }),
        SchedulerMetricsModule.forRoot({ registry: new Registry() }),
      ],
      controllers: [CheckoutController, HealthController, MetricsController],
      providers: [HeartbeatJob, CancelTransactionJob],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), kit: app.get(SchedulerTestKit) };
  }

  /** The console's CSRF token and cookie, as a script gets them (the page does this itself). */
  async function consoleSession(url: string): Promise<Record<string, string>> {
    const response = await fetch(`${url}/scheduler/api/csrf`);
    const { token } = (await response.json()) as { token: string };
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return { cookie, 'x-csrf-token': token };
  }

  it('reserves a transaction, shows its cancellation in the console, and runs it after its delay', async () => {
    const { url, kit } = await boot();
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/transactions/tx-1/reserve', { delayMs: 3000 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      slug: 'cancel-tx-tx-1',
      kind: 'cancel-transaction',
      payload: { transactionId: 'tx-1' },
      nextRunTime: '2030-06-01T12:00:04.000Z',
      state: 'scheduled',
    });
    expect((await post('/transactions/tx-1/reserve', {})).status).toBe(409);
    expect((await post('/transactions/tx-2/reserve', { delayMs: 'soon' })).status).toBe(400);
    expect((await post('/transactions/tx-2/reserve', { delayMs: -5 })).status).toBe(400);

    const listed = (await (await fetch(`${url}/scheduler/api/tasks?state=scheduled`)).json()) as {
      items: Array<{ slug: string; nextRunTime: string; state: string }>;
    };
    expect(listed.items.map((task) => task.slug)).toEqual(['cancel-tx-tx-1', 'heartbeat']);
    expect(listed.items[0]).toMatchObject({ nextRunTime: '2030-06-01T12:00:04.000Z', state: 'scheduled' });

    await kit.advanceBy(3000);
    expect(kit.runsOf('cancel-tx-tx-1')).toHaveLength(1);
    expect((await fetch(`${url}/scheduler/api/tasks/cancel-tx-tx-1`)).status).toBe(404);
    const history = (await (await fetch(`${url}/scheduler/api/tasks/cancel-tx-tx-1/history`)).json()) as {
      items: Array<{ outcome: string }>;
    };
    expect(history.items.map((record) => record.outcome)).toEqual(['succeeded']);
  });

  it('pauses, resumes and runs a job now through the console API', async () => {
    const { url, kit } = await boot();
    const session = await consoleSession(url);
    const post = (path: string) => fetch(`${url}/scheduler/api${path}`, { method: 'POST', headers: session });
    expect((await post('/tasks/heartbeat/pause')).status).toBe(200);
    await kit.advanceBy(10_000);
    expect(kit.runsOf('heartbeat')).toHaveLength(0);
    expect(await (await fetch(`${url}/scheduler/api/tasks/heartbeat`)).json()).toMatchObject({
      state: 'paused',
    });

    expect((await post('/tasks/heartbeat/resume')).status).toBe(200);
    await kit.runDueJobs();
    expect(kit.runsOf('heartbeat')).toHaveLength(1); // fire-once: one run for the missed window

    expect((await post('/tasks/heartbeat/run')).status).toBe(200);
    await kit.runDueJobs();
    expect(kit.runsOf('heartbeat')).toHaveLength(2);
    expect((await post('/tasks/nothing-here/pause')).status).toBe(404);
    // Without the CSRF token, no action.
    expect((await fetch(`${url}/scheduler/api/tasks/heartbeat/pause`, { method: 'POST' })).status).toBe(403);
  });

  it('serves the console page at /scheduler to requests from this machine', async () => {
    const { url } = await boot();
    const page = await fetch(`${url}/scheduler`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<tr data-kind="heartbeat"');
    expect(html).toContain('1 live instance shares');
    expect(new LoopbackGuard().canActivate(requestFrom('203.0.113.9'))).toBe(false);
    expect(new LoopbackGuard().canActivate(requestFrom('::1'))).toBe(true);
  });

  it('GET /health reports the scheduler up', async () => {
    const { url } = await boot();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { scheduler: { status: 'up', running: true, storeReachable: true } },
    });
  });

  it('GET /metrics serves the scheduler metrics', async () => {
    const { url, kit } = await boot();
    await kit.advanceBy(10_000);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('scheduler_executions_total{kind="heartbeat",outcome="succeeded"} 2');
    expect(text).toContain('scheduler_loop_running 1');
  });
});

/** An execution context of a request from `address`, as far as LoopbackGuard reads it. */
function requestFrom(address: string): Parameters<LoopbackGuard['canActivate']>[0] {
  const request = { socket: { remoteAddress: address } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as Parameters<
    LoopbackGuard['canActivate']
  >[0];
}
