/**
 * The sample app's HTTP face on SchedulerTestingModule: the jobs controller, `GET /health`
 * (terminus) and `GET /metrics` (Prometheus), over a real HTTP server on an ephemeral port.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { SchedulerTestingModule, SchedulerTestKit } from '../lib/index.js';
import { SchedulerMetricsModule } from '../lib/metrics/index.js';
import { HealthController } from './health.controller.js';
import { JobsController } from './jobs.controller.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';
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
        TerminusModule.forRoot({ logger: false }),
        SchedulerMetricsModule.forRoot({ registry: new Registry() }),
      ],
      controllers: [JobsController, HealthController, MetricsController],
      providers: [HeartbeatJob, CancelTransactionJob],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return { url: await app.getUrl(), kit: app.get(SchedulerTestKit) };
  }

  it('schedules a cancel-transaction job over HTTP, lists it, and runs it after its delay', async () => {
    const { url, kit } = await boot();
    const created = await fetch(`${url}/jobs/cancel-transaction`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transactionId: 'tx-1', delayMs: 3000 }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      slug: 'cancel-tx-tx-1',
      kind: 'cancel-transaction',
      payload: { transactionId: 'tx-1' },
      nextRunTime: '2030-06-01T12:00:04.000Z',
      state: 'scheduled',
    });
    const listed = (await (await fetch(`${url}/jobs?state=scheduled`)).json()) as {
      tasks: Array<{ slug: string }>;
    };
    expect(listed.tasks.map((task) => task.slug)).toEqual(['cancel-tx-tx-1', 'heartbeat']);

    await kit.advanceBy(3000);
    expect(kit.runsOf('cancel-tx-tx-1')).toHaveLength(1);
    expect((await fetch(`${url}/jobs/cancel-tx-tx-1`)).status).toBe(404);
    expect((await fetch(`${url}/jobs/nothing-here`, { method: 'DELETE' })).status).toBe(404);
  });

  it('pauses, resumes and triggers a job, and shows its history', async () => {
    const { url, kit } = await boot();
    const post = (path: string) => fetch(`${url}${path}`, { method: 'POST' });
    expect((await post('/jobs/heartbeat/pause')).status).toBe(204);
    await kit.advanceBy(10_000);
    expect(kit.runsOf('heartbeat')).toHaveLength(0);
    expect(await (await fetch(`${url}/jobs/heartbeat`)).json()).toMatchObject({ state: 'paused' });

    expect((await post('/jobs/heartbeat/resume')).status).toBe(204);
    await kit.runDueJobs();
    expect(kit.runsOf('heartbeat')).toHaveLength(1); // fire-once: one run for the missed window

    expect((await post('/jobs/heartbeat/trigger')).status).toBe(204);
    await kit.runDueJobs();
    expect(kit.runsOf('heartbeat')).toHaveLength(2);

    const history = (await (await fetch(`${url}/jobs/heartbeat/history`)).json()) as Array<{
      outcome: string;
    }>;
    expect(history.map((record) => record.outcome)).toEqual(['succeeded', 'succeeded']);
    expect((await post('/jobs/nothing-here/pause')).status).toBe(404);
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
