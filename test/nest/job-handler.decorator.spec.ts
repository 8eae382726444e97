import { Reflector } from '@nestjs/core';
import { InvalidJobHandlerError } from '../../lib/nest/errors/invalid-job-handler.error.js';
import type { StoreTask } from '../../lib/core/job.js';
import { JobHandler } from '../../lib/nest/job-handler.decorator.js';
import { SchedulerMetadataAccessor } from '../../lib/nest/scheduler-metadata.accessor.js';

const accessor = new SchedulerMetadataAccessor(new Reflector());

describe('@JobHandler', () => {
  it('stores the kind alone for a one-time-only handler', () => {
    @JobHandler('send-email')
    class SendEmailJob {
      async execute(_task: StoreTask): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(SendEmailJob);
    expect(metadata).toEqual({ kind: 'send-email', options: {} });
    expect(accessor.getTrigger(metadata!)).toBeUndefined();
    expect(accessor.getRegisterOptions(metadata!)).toEqual({});
    expect(accessor.getRecurringTask(metadata!)).toBeUndefined();
    expect(accessor.getKind(SendEmailJob)).toBe('send-email');
  });

  it('turns a cron string into a recurring task whose slug is the kind', () => {
    @JobHandler('tick', '*/5 * * * * *')
    class TickJob {
      async execute(): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(TickJob)!;
    expect(accessor.getRegisterOptions(metadata)).toEqual({ trigger: '*/5 * * * * *' });
    expect(accessor.getRecurringTask(metadata)).toEqual({
      slug: 'tick',
      kind: 'tick',
      trigger: '*/5 * * * * *',
      payload: null,
    });
  });

  it('passes every option through to registerJob and the recurring task', () => {
    const backoff = (attempt: number): number => attempt * 1000;
    @JobHandler('report', {
      cron: '0 9 * * 1-5',
      timeZone: 'Europe/Lisbon',
      backoff,
      maxRetries: 3,
      misfirePolicy: 'skip',
      concurrency: 2,
      slug: 'daily-report',
      payload: { format: 'pdf' },
    })
    class ReportJob {
      async execute(): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(ReportJob)!;
    expect(accessor.getRegisterOptions(metadata)).toEqual({
      trigger: { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
      backoff,
      maxRetries: 3,
      misfirePolicy: 'skip',
      concurrency: 2,
    });
    expect(accessor.getRecurringTask(metadata)).toEqual({
      slug: 'daily-report',
      kind: 'report',
      trigger: { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
      payload: { format: 'pdf' },
    });
  });

  it('passes priority and the cluster-wide limits through to registerJob', () => {
    const concurrencyKey = (task: { payload: unknown }): string =>
      (task.payload as { tenant: string }).tenant;
    @JobHandler('sync', {
      priority: 5,
      globalConcurrency: 4,
      concurrencyKey,
      keyConcurrency: 2,
      rateLimit: { max: 100, perMs: 60_000 },
    })
    class SyncJob {
      async execute(): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(SyncJob)!;
    expect(accessor.getRegisterOptions(metadata)).toEqual({
      priority: 5,
      globalConcurrency: 4,
      concurrencyKey,
      keyConcurrency: 2,
      rateLimit: { max: 100, perMs: 60_000 },
    });
  });

  it('makes an interval the trigger with every', () => {
    @JobHandler('poll', { every: '30s' })
    class PollJob {
      async execute(): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(PollJob)!;
    expect(accessor.getTrigger(metadata)).toEqual({ every: '30s' });
  });

  it('keeps the schedule as the kind default only, with autoSchedule: false', () => {
    @JobHandler('tenant-report', { cron: '@daily', autoSchedule: false })
    class TenantReportJob {
      async execute(): Promise<void> {}
    }
    const metadata = accessor.getJobHandlerMetadata(TenantReportJob)!;
    expect(accessor.getRegisterOptions(metadata)).toEqual({ trigger: '@daily' });
    expect(accessor.getRecurringTask(metadata)).toBeUndefined();
  });

  it('is not read from classes without it', () => {
    class Plain {
      async execute(): Promise<void> {}
    }
    expect(accessor.getJobHandlerMetadata(Plain)).toBeUndefined();
    expect(accessor.getJobHandlerMetadata(undefined)).toBeUndefined();
    expect(accessor.getJobHandlerMetadata({})).toBeUndefined();
    expect(() => accessor.getKind(Plain)).toThrow(InvalidJobHandlerError);
    expect(() => accessor.getKind(Plain)).toThrow('Invalid @JobHandler Plain: the class is not decorated');
  });

  it.each([
    ['an empty kind', '', undefined, /kind "" is not a non-empty string/],
    ['cron and every together', 'k', { cron: '@daily', every: 1000 }, /either cron or every/],
    ['a time zone without cron', 'k', { every: 1000, timeZone: 'UTC' }, /timeZone applies only to a cron/],
    [
      'autoSchedule without a schedule',
      'k',
      { autoSchedule: true },
      /autoSchedule describes the recurring task/,
    ],
    ['a slug without a schedule', 'k', { slug: 's' }, /slug describes the recurring task/],
    ['a payload without a schedule', 'k', { payload: 1 }, /payload describes the recurring task/],
  ] as const)('refuses %s when the class is defined', (_case, kind, options, message) => {
    const define = (): unknown => {
      @JobHandler(kind, options)
      class BadJob {
        async execute(): Promise<void> {}
      }
      return BadJob;
    };
    expect(define).toThrow(InvalidJobHandlerError);
    expect(define).toThrow(message);
    expect(define).toThrow(/^Invalid @JobHandler BadJob: /);
  });
});
