import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VirtualClock } from '../../lib/core/clock.js';
import { JobNotFoundError } from '../../lib/core/errors/index.js';
import { InvalidJobHandlerError } from '../../lib/nest/errors/invalid-job-handler.error.js';
import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import {
  JobHandler,
  SchedulerModule,
  SchedulerService,
  type SchedulerModuleOptions,
} from '../../lib/nest/index.js';
import { quietLogger, waitUntil } from './nest-test-helpers.js';

@JobHandler('send-email')
class SendEmailJob {
  readonly sent: Array<{ slug: string; payload: unknown }> = [];

  async execute(task: StoreTask): Promise<void> {
    this.sent.push({ slug: task.slug, payload: task.payload });
  }
}

@JobHandler('tick', '* * * * * *')
class TickJob {
  readonly fires: Date[] = [];

  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.fires.push(ctx.scheduledAt);
  }
}

@JobHandler('poll', { every: '1h', slug: 'poll-inbox', payload: { inbox: 'support' } })
class PollJob {
  async execute(): Promise<void> {}
}

@JobHandler('tenant-report', { cron: '0 9 * * *', autoSchedule: false })
class TenantReportJob {
  async execute(): Promise<void> {}
}

@Injectable()
class NotAHandler {
  async execute(): Promise<void> {}
}

async function boot(
  providers: Array<new (...args: never[]) => unknown>,
  store = new MemoryStore(),
  options: SchedulerModuleOptions = {},
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [SchedulerModule.forRoot(store, { logger: quietLogger, ...options })],
    providers,
  }).compile();
  return moduleRef.init();
}

describe('SchedulerService', () => {
  it('schedules a one-time job by its class, which runs once and is then gone', async () => {
    const app = await boot([SendEmailJob]);
    try {
      const service = app.get(SchedulerService);
      const scheduled = await service.scheduleJob('welcome-42', SendEmailJob, {
        payload: { to: 'ana@example.com' },
      });
      expect(scheduled).toMatchObject({
        slug: 'welcome-42',
        kind: 'send-email',
        payload: { to: 'ana@example.com' },
      });
      const job = app.get(SendEmailJob);
      await waitUntil(() => job.sent.length === 1, { message: 'the job ran' });
      expect(job.sent).toEqual([{ slug: 'welcome-42', payload: { to: 'ana@example.com' } }]);
      await waitUntil(async () => !(await service.getJobSlugs()).includes('welcome-42'), {
        message: 'the task was deleted',
      });
      await expect(service.getScheduledJob('welcome-42')).rejects.toThrow(JobNotFoundError);
    } finally {
      await app.close();
    }
  });

  it('schedules a one-time job by its kind string', async () => {
    const app = await boot([SendEmailJob]);
    try {
      const service = app.get(SchedulerService);
      await service.scheduleJob('by-kind', 'send-email', { payload: 'hi' });
      const job = app.get(SendEmailJob);
      await waitUntil(() => job.sent.length === 1, { message: 'the job ran' });
      expect(job.sent).toEqual([{ slug: 'by-kind', payload: 'hi' }]);
    } finally {
      await app.close();
    }
  });

  it('schedules by kind a job this instance does not run (a web instance feeding workers)', async () => {
    const store = new MemoryStore();
    const app = await boot([], store);
    try {
      await app.get(SchedulerService).scheduleJob('for-a-worker', 'send-email', { payload: 1 });
      expect(await store.get('for-a-worker')).toMatchObject({ kind: 'send-email', payload: 1 });
    } finally {
      await app.close();
    }
  });

  it('refuses a class that is not a @JobHandler, before anything is written', async () => {
    const store = new MemoryStore();
    const app = await boot([], store);
    try {
      await expect(async () => app.get(SchedulerService).scheduleJob('x', NotAHandler)).rejects.toThrow(
        InvalidJobHandlerError,
      );
      expect(await store.getSlugs()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('fires a cron handler on its schedule (virtual clock, no sleeping)', async () => {
    const clock = new VirtualClock(Date.UTC(2030, 0, 1, 0, 0, 0));
    const store = new MemoryStore({ clock });
    const app = await boot([TickJob], store, { clock });
    try {
      const service = app.get(SchedulerService);
      const tick = app.get(TickJob);
      expect((await service.getScheduledJob('tick')).nextRunTime).toEqual(
        new Date(Date.UTC(2030, 0, 1, 0, 0, 1)),
      );
      for (let second = 1; second <= 3; second += 1) {
        clock.advanceBy(1000);
        await waitUntil(() => tick.fires.length === second, { message: `fire ${second}` });
        const next = new Date(Date.UTC(2030, 0, 1, 0, 0, second + 1));
        await waitUntil(
          async () => (await service.getScheduledJob('tick')).nextRunTime.getTime() === next.getTime(),
          {
            message: `reschedule after fire ${second}`,
          },
        );
      }
      expect(tick.fires).toEqual([1, 2, 3].map((s) => new Date(Date.UTC(2030, 0, 1, 0, 0, s))));
    } finally {
      await app.close();
    }
  });

  it('creates the recurring task of a handler with its slug and payload at bootstrap', async () => {
    const store = new MemoryStore();
    const app = await boot([PollJob, TenantReportJob], store, { autoStart: false });
    try {
      const task = await app.get(SchedulerService).getScheduledJob('poll-inbox');
      expect(task).toMatchObject({ kind: 'poll', payload: { inbox: 'support' } });
      // autoSchedule: false keeps the schedule as the kind's default, with no task created.
      expect(await store.getSlugs()).toEqual(['poll-inbox']);
    } finally {
      await app.close();
    }
  });

  it('takes a @JobHandler class where the engine takes a kind', async () => {
    const store = new MemoryStore();
    const app = await boot([TenantReportJob], store, { autoStart: false });
    try {
      const service = app.get(SchedulerService);
      await service.ensureRecurring('report-acme', TenantReportJob, {
        cron: '0 8 * * *',
        timeZone: 'Europe/Lisbon',
      });
      await service.ensureRecurring('report-globex', TenantReportJob, '0 18 * * *');
      expect((await service.listJobs({ kind: TenantReportJob })).tasks.map((t) => t.slug)).toEqual([
        'report-acme',
        'report-globex',
      ]);
      expect(await service.pauseKind(TenantReportJob)).toBe(2);
      expect((await service.getScheduledJob('report-acme')).paused).toBe(true);
      expect(await service.resumeKind(TenantReportJob)).toBe(2);
      expect((await service.getScheduledJob('report-acme')).paused).toBe(false);
    } finally {
      await app.close();
    }
  });
});
