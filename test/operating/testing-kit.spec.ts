/**
 * The testing helpers users get: createTestScheduler (engine) and SchedulerTestingModule (Nest).
 * A week of a weekday 09:00 Lisbon cron, across both DST changes, runs in milliseconds of real
 * time: nothing here sleeps.
 */
import { runInNewContext } from 'node:vm';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FixedBackoff } from '../../lib/core/backoff.js';
import { VirtualClock } from '../../lib/core/clock.js';
import { InvalidPayloadError } from '../../lib/core/errors/index.js';
import { assertStorablePayload } from '../../lib/core/payload.js';
import type { Job, JobContext, StoreTask } from '../../lib/core/job.js';
import { JobHandler, SchedulerService } from '../../lib/nest/index.js';
import {
  createTestScheduler,
  SchedulerTestingModule,
  SchedulerTestKit,
  type RecordedRun,
} from '../../lib/testing/index.js';

const DAY = 24 * 3600 * 1000;
const LISBON_WEEKDAYS_AT_9 = { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' };

/** The report job of the example: it records the Lisbon wall time it ran at. */
class ReportJob implements Job {
  readonly kind = 'daily-report';
  readonly wallTimes: string[] = [];
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.wallTimes.push(
      ctx.scheduledAt.toLocaleString('en-GB', {
        timeZone: 'Europe/Lisbon',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      }),
    );
  }
}

const due = (runs: readonly RecordedRun[]): string[] => runs.map((run) => run.scheduledAt.toISOString());

describe('createTestScheduler', () => {
  it('runs "the report at 09:00 Lisbon time on weekdays" across the spring DST change, without sleeping', async () => {
    // Wednesday 27 March 2030; Portugal moves to summer time (UTC+1) on Sunday the 31st.
    const kit = createTestScheduler({ now: '2030-03-27T00:00:00Z' });
    const job = new ReportJob();
    kit.scheduler.registerJob(job, { trigger: LISBON_WEEKDAYS_AT_9 });
    await kit.scheduler.scheduleJob('report', 'daily-report');

    await kit.advanceBy(7 * DAY);

    expect(due(kit.runsOf('report'))).toEqual([
      '2030-03-27T09:00:00.000Z', // Wed, winter time: 09:00 Lisbon = 09:00 UTC
      '2030-03-28T09:00:00.000Z', // Thu
      '2030-03-29T09:00:00.000Z', // Fri
      '2030-04-01T08:00:00.000Z', // Mon, summer time: 09:00 Lisbon = 08:00 UTC
      '2030-04-02T08:00:00.000Z', // Tue
    ]);
    expect(job.wallTimes).toEqual(['Wed 09:00', 'Thu 09:00', 'Fri 09:00', 'Mon 09:00', 'Tue 09:00']);
    expect(kit.runs.every((run) => run.outcome === 'succeeded' && run.attempt === 1)).toBe(true);
    // Each run started when it was due: the clock stopped at every fire on the way.
    expect(kit.runs.every((run) => run.startedAt.getTime() === run.scheduledAt.getTime())).toBe(true);
    expect(kit.now().toISOString()).toBe('2030-04-03T00:00:00.000Z');
    expect((await kit.scheduler.getScheduledJob('report')).nextRunTime.toISOString()).toBe(
      '2030-04-03T08:00:00.000Z',
    );
    await kit.stop();
  });

  it('does the same across the autumn change, with the trigger on the task itself', async () => {
    // Wednesday 23 October 2030; back to winter time (UTC+0) on Sunday the 27th.
    const kit = createTestScheduler({ now: '2030-10-23T00:00:00Z' });
    kit.scheduler.registerJob(new ReportJob());
    await kit.scheduler.scheduleJob('report-lisbon', 'daily-report', { trigger: LISBON_WEEKDAYS_AT_9 });
    await kit.advanceTo('2030-10-30T00:00:00Z');
    expect(due(kit.runsOf('report-lisbon'))).toEqual([
      '2030-10-23T08:00:00.000Z',
      '2030-10-24T08:00:00.000Z',
      '2030-10-25T08:00:00.000Z',
      '2030-10-28T09:00:00.000Z',
      '2030-10-29T09:00:00.000Z',
    ]);
    await kit.stop();
  });

  it('stops at every fire on the way, so a long advance is not one misfired run', async () => {
    const kit = createTestScheduler();
    kit.scheduler.registerJob({ kind: 'tick', execute: async () => undefined }, { trigger: '@every 10m' });
    await kit.scheduler.scheduleJob('tick', 'tick');
    const misfires: number[] = [];
    kit.scheduler.on('job.misfired', (event) => misfires.push(event.missedFires));
    await kit.advanceBy(3600_000);
    expect(kit.runsOf('tick')).toHaveLength(6);
    expect(misfires).toEqual([]);
    await kit.stop();
  });

  it('records failures and runs retries as their backoff falls due', async () => {
    const kit = createTestScheduler({ history: { retention: '1d' } });
    let calls = 0;
    kit.scheduler.registerJob(
      {
        kind: 'flaky',
        execute: async () => {
          calls += 1;
          if (calls < 3) throw new Error(`try ${calls} failed`);
        },
      },
      { backoff: new FixedBackoff([30_000, 60_000]) },
    );
    await kit.scheduler.scheduleJob('sync', 'flaky', { delay: 5_000 });
    await kit.runDueJobs();
    expect(kit.runs).toEqual([]);

    await kit.advanceBy(5_000);
    expect(kit.runs.map((run) => [run.attempt, run.outcome, run.error])).toEqual([
      [1, 'failed', 'try 1 failed'],
    ]);
    await kit.advanceBy(90_000);
    expect(kit.runs.map((run) => [run.attempt, run.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    expect(kit.runs.map((run) => run.scheduledAt.getTime() - kit.runs[0]!.scheduledAt.getTime())).toEqual([
      0, 30_000, 90_000,
    ]);
    // History is on: the same three runs, newest first.
    expect((await kit.scheduler.getJobHistory('sync')).map((record) => record.attempt)).toEqual([3, 2, 1]);
    kit.clearRuns();
    expect(kit.runs).toEqual([]);
    await kit.stop();
  });

  it('lets a job return the task it was given, payload and all (a cross-realm copy under Jest)', async () => {
    const kit = createTestScheduler();
    kit.scheduler.registerJob({
      kind: 'echo',
      execute: async (task) => ({ ...task, result: `done ${JSON.stringify(task.payload)}` }),
    });
    await kit.scheduler.scheduleJob('echo-1', 'echo', { payload: { order: { id: 7, lines: [1, 2] } } });
    await kit.runDueJobs();
    expect(kit.runsOf('echo-1')).toEqual([expect.objectContaining({ outcome: 'succeeded', error: null })]);
    // A copy from another realm is a plain object all the same; a class instance is not.
    expect(() => assertStorablePayload(runInNewContext('({ a: { b: [1, { c: null }] } })'))).not.toThrow();
    expect(() => assertStorablePayload({ when: new Date() })).toThrow(InvalidPayloadError);
    await kit.stop();
  });

  it('refuses to go back in time', async () => {
    const kit = createTestScheduler({ now: Date.UTC(2030, 5, 1) });
    await expect(kit.advanceTo(new Date(Date.UTC(2030, 4, 1)))).rejects.toThrow(RangeError);
    await expect(kit.advanceBy(-1)).rejects.toThrow(RangeError);
    await kit.stop();
  });
});

@Injectable()
class ReportMailer {
  readonly sent: string[] = [];
  send(to: string): void {
    this.sent.push(to);
  }
}

@JobHandler('weekly-report', { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' })
class ReportHandler {
  constructor(private readonly mailer: ReportMailer) {}
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.mailer.send(`boss@example.com ${ctx.scheduledAt.toISOString()}`);
  }
}

describe('SchedulerTestingModule', () => {
  it('runs the application handlers on a virtual clock, with their dependencies', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SchedulerTestingModule.forRoot({ now: '2030-03-29T00:00:00Z' })],
      providers: [ReportMailer, ReportHandler],
    })
      .setLogger({ log: () => undefined, warn: () => undefined, error: () => undefined })
      .compile();
    await moduleRef.init();
    const kit = moduleRef.get(SchedulerTestKit);
    const mailer = moduleRef.get(ReportMailer);
    expect(moduleRef.get(VirtualClock)).toBe(kit.clock);

    await kit.advanceTo('2030-04-02T00:00:00Z');
    expect(mailer.sent).toEqual([
      'boss@example.com 2030-03-29T09:00:00.000Z',
      'boss@example.com 2030-04-01T08:00:00.000Z',
    ]);
    expect(kit.runsOfKind('weekly-report').map((run) => run.slug)).toEqual([
      'weekly-report',
      'weekly-report',
    ]);

    // The service the application injects is the one under test.
    const service = moduleRef.get(SchedulerService);
    await service.scheduleJob('one-off', ReportHandler, { delay: 60_000 });
    await kit.advanceBy(60_000);
    expect(kit.runsOf('one-off')).toHaveLength(1);
    await moduleRef.close();
  });
});
