/**
 * SchedulerExceptionFilter: a controller written like the one in docs/nest.md answers the library's
 * errors with 404, 409 and 400 instead of 500, bound to a controller or to the whole app.
 */
import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  UseFilters,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  JobHandler,
  MemoryStore,
  SchedulerExceptionFilter,
  SchedulerModule,
  SchedulerService,
  silentLogger,
  toHttpException,
  InvalidSlugError,
  JobNotFoundError,
} from '../../lib/index.js';
import { waitUntil } from './nest-test-helpers.js';

@JobHandler('hold')
class HoldJob {
  async execute(): Promise<void> {
    await new Promise(() => undefined);
  }
}

function jobsController(): Type {
  @Controller('jobs')
  class JobsController {
    constructor(private readonly scheduler: SchedulerService) {}

    @Get(':slug')
    get(@Param('slug') slug: string) {
      return this.scheduler.getScheduledJob(slug);
    }

    @Post(':slug')
    create(@Param('slug') slug: string, @Body() body: { cron?: string }) {
      return this.scheduler.scheduleJob(slug, 'hold', {
        trigger: body.cron,
        delay: body.cron ? undefined : 3_600_000,
      });
    }

    @Post(':slug/run')
    run(@Param('slug') slug: string) {
      return this.scheduler.triggerJob(slug);
    }

    @Get('crash/now')
    crash(): never {
      throw new Error('not a library error');
    }
  }
  return JobsController;
}

describe('SchedulerExceptionFilter', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function boot(bind: 'controller' | 'app'): Promise<string> {
    const controller = jobsController();
    if (bind === 'controller') UseFilters(SchedulerExceptionFilter)(controller);
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerModule.forRoot(new MemoryStore(), {
          logger: silentLogger,
          heartbeat: 50,
          shutdownTimeoutMs: 10,
        }),
      ],
      controllers: [controller],
      providers: [
        HoldJob,
        ...(bind === 'app' ? [{ provide: APP_FILTER, useClass: SchedulerExceptionFilter }] : []),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it.each(['controller', 'app'] as const)(
    'maps not found to 404, conflicts to 409, bad input to 400 (bound to the %s)',
    async (bind) => {
      const url = await boot(bind);
      const post = (path: string, body: unknown = {}) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      const missing = await fetch(`${url}/jobs/nothing`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'No scheduled job has the slug "nothing"',
        type: 'JobNotFoundError',
      });
      expect((await post('/jobs/a')).status).toBe(201);
      const taken = await post('/jobs/a');
      expect(taken.status).toBe(409);
      expect(await taken.json()).toMatchObject({ type: 'JobAlreadyScheduledError' });
      const badCron = await post('/jobs/b', { cron: 'every tuesday' });
      expect(badCron.status).toBe(400);
      expect(await badCron.json()).toMatchObject({ statusCode: 400, type: 'InvalidCronExpressionError' });

      expect((await post('/jobs/c', { cron: '* * * * * *' })).status).toBe(201);
      const scheduler = app?.get(SchedulerService) as SchedulerService;
      await scheduler.triggerJob('c');
      await waitUntil(async () => (await scheduler.getScheduledJob('c')).state === 'running');
      const running = await post('/jobs/c/run');
      expect(running.status).toBe(409);
      expect(await running.json()).toMatchObject({ type: 'JobRunningError' });

      expect((await fetch(`${url}/jobs/crash/now`)).status).toBe(500);
    },
  );

  it('toHttpException is the mapping, for controllers that catch themselves', () => {
    expect(toHttpException(new JobNotFoundError('x')).getStatus()).toBe(404);
    expect(toHttpException(new InvalidSlugError('')).getStatus()).toBe(400);
  });
});
