/**
 * The sample app's jobs under SchedulerTestingModule: a virtual clock, no sleeps.
 * (Jest globals are imported so that `npm run build:app` also compiles this file.)
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { SchedulerService, SchedulerTestingModule, SchedulerTestKit } from '../lib/index.js';
import { CancelTransactionJob } from './jobs/cancel-transaction.job.js';
import { HeartbeatJob } from './jobs/heartbeat.job.js';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('sample app jobs', () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(now: string): Promise<{ kit: SchedulerTestKit; scheduler: SchedulerService }> {
    moduleRef = await Test.createTestingModule({
      imports: [SchedulerTestingModule.forRoot({ now })],
      providers: [HeartbeatJob, CancelTransactionJob],
    })
      .setLogger(silent)
      .compile();
    await moduleRef.init();
    return { kit: moduleRef.get(SchedulerTestKit), scheduler: moduleRef.get(SchedulerService) };
  }

  it('the heartbeat cron fires at every fifth second', async () => {
    const { kit } = await boot('2030-06-01T12:00:01Z');
    await kit.advanceBy(20_000);
    expect(kit.runsOf('heartbeat').map((run) => run.scheduledAt.toISOString())).toEqual([
      '2030-06-01T12:00:05.000Z',
      '2030-06-01T12:00:10.000Z',
      '2030-06-01T12:00:15.000Z',
      '2030-06-01T12:00:20.000Z',
    ]);
  });

  it('a cancel-transaction job runs once, when its delay is over, and is then gone', async () => {
    const { kit, scheduler } = await boot('2030-06-01T12:00:00Z');
    await scheduler.scheduleJob('cancel-tx-9bfadfd6', CancelTransactionJob, {
      delay: 5_000,
      payload: { transactionId: '9bfadfd6' },
    });

    await kit.advanceBy(4_999);
    expect(kit.runsOf('cancel-tx-9bfadfd6')).toEqual([]);
    await kit.advanceBy(1);
    expect(kit.runsOf('cancel-tx-9bfadfd6')).toEqual([
      expect.objectContaining({
        kind: 'cancel-transaction',
        outcome: 'succeeded',
        attempt: 1,
        scheduledAt: new Date('2030-06-01T12:00:05.000Z'),
      }),
    ]);
    expect(await scheduler.getJobSlugs()).toEqual(['heartbeat']);
  });
});
