/**
 * The OpenTelemetry instrumentation when the app registered no SDK: `@opentelemetry/api` hands out
 * no-op tracers and meters, the scheduler runs as without instrumentation, and no trace context is
 * stored (there is no valid one). And the built `./otel` entry point imports.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { trace } from '@opentelemetry/api';

import { VirtualClock } from '../../lib/core/clock.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { OpenTelemetryInstrumentation, registerSchedulerOtelMetrics } from '../../lib/otel/index.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { ControlledJob, SECOND } from '../../lib/testing/operating/operating-harness.js';

const run = promisify(execFile);

describe('OpenTelemetry without an SDK', () => {
  it('schedules and runs jobs, records nothing and stores no trace context', async () => {
    const clock = new VirtualClock();
    const scheduler = new StdScheduler(new MemoryStore({ clock }), {
      clock,
      logger: silentLogger,
      instrumentation: new OpenTelemetryInstrumentation(),
      propagateTraceContext: true,
    });
    const metrics = registerSchedulerOtelMetrics(scheduler);
    const job = new ControlledJob('plain', (task) => {
      if (task.slug === 'fails') throw new Error('nope');
    });
    scheduler.registerJob(job, { maxRetries: 0 });
    try {
      await trace.getTracer('app').startActiveSpan('request', async (span) => {
        await scheduler.scheduleJob('works', 'plain', { delay: SECOND });
        await scheduler.scheduleJob('fails', 'plain', { delay: SECOND });
        span.end();
      });
      expect('traceContext' in (await scheduler.getScheduledJob('works'))).toBe(false);
      await scheduler.start();
      clock.advanceBy(SECOND);
      await scheduler.whenIdle();
      expect(job.slugs().sort()).toEqual(['fails', 'works']);
      expect(await scheduler.getScheduledJob('fails')).toMatchObject({ failed: true, result: 'nope' });
      await expect(scheduler.getScheduledJob('works')).rejects.toThrow('No scheduled job');
    } finally {
      metrics.dispose();
      await scheduler.stop();
    }
  });

  it('refuses instrumentation options out of range, and an object that is no instrumentation', () => {
    expect(() => new OpenTelemetryInstrumentation({ parentWithinMs: -1 })).toThrow('Invalid parentWithinMs');
    expect(() => new StdScheduler(new MemoryStore(), { instrumentation: {} as never })).toThrow(
      'Invalid instrumentation: must implement SchedulerInstrumentation (missing: schedule, execution, claimBatch, settleBatch)',
    );
    expect(() => new StdScheduler(new MemoryStore(), { propagateTraceContext: 'yes' as never })).toThrow(
      'Invalid propagateTraceContext',
    );
  });

  it('is the built entry point nestjs-durable-scheduler/otel', async () => {
    // The package names itself (exports map), so this resolves to dist/, which the global setup built.
    const script = `const otel = await import('nestjs-durable-scheduler/otel');
      console.log(JSON.stringify(Object.keys(otel).sort()));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual(
      expect.arrayContaining([
        'OpenTelemetryInstrumentation',
        'registerSchedulerOtelMetrics',
        'SchedulerAttributes',
      ]),
    );
  });
});
