import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import type { JobContext, StoreTask } from '../../lib/core/job.js';
import type { SchedulerLogger } from '../../lib/core/logger.js';
import { JobHandler, SchedulerModule, SchedulerService } from '../../lib/nest/index.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { reportFact, waitFor } from './support/runs-table.js';

const db = usePostgresDatabase();

/** What the handlers saw, shared with the test. */
@Injectable()
class Recorder {
  readonly ticks: number[] = [];
  readonly welcomed: unknown[] = [];
  slowStarted = false;
  slowQueryResult: unknown = null;
  letSlowFinish!: () => void;
  readonly slowGate = new Promise<void>((resolve) => (this.letSlowFinish = resolve));
}

@JobHandler('nest-tick', '* * * * * *')
class TickHandler {
  constructor(private readonly recorder: Recorder) {}
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.recorder.ticks.push(ctx.scheduledAt.getTime());
  }
}

@JobHandler('nest-welcome')
class WelcomeHandler {
  constructor(private readonly recorder: Recorder) {}
  async execute(task: StoreTask): Promise<void> {
    this.recorder.welcomed.push(task.payload);
  }
}

/** Still running when the application closes; then uses TypeORM's DataSource. */
@JobHandler('nest-slow')
class SlowHandler {
  constructor(
    private readonly recorder: Recorder,
    private readonly dataSource: DataSource,
  ) {}
  async execute(): Promise<void> {
    this.recorder.slowStarted = true;
    await this.recorder.slowGate;
    this.recorder.slowQueryResult = await this.dataSource.query('SELECT 1 AS ok');
  }
}

class LineLogger implements SchedulerLogger {
  readonly lines: string[] = [];
  log(): void {}
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
}

/** Where the application imports `TypeOrmModule.forRoot`: it decides the order of Nest's shutdown hooks. */
type TypeOrmPlacement = 'in forRootAsync imports' | 'in the application module';

/** The application module as a user writes it: the store on the DataSource @nestjs/typeorm provides. */
function appModule(url: string, logger: SchedulerLogger, placement: TypeOrmPlacement): new () => unknown {
  const typeOrm = TypeOrmModule.forRoot({ type: 'postgres', url, poolSize: 5 });
  const scheduler = SchedulerModule.forRootAsync({
    imports: placement === 'in forRootAsync imports' ? [typeOrm] : [],
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => ({
      store: new PostgresStore({ dataSource, logger }),
      logger,
    }),
  });
  @Module({
    imports: placement === 'in forRootAsync imports' ? [scheduler] : [typeOrm, scheduler],
    providers: [Recorder, TickHandler, WelcomeHandler, SlowHandler],
  })
  class AppModule {}
  return AppModule;
}

/**
 * A Nest application context with `@nestjs/typeorm` and `SchedulerModule.forRootAsync` over its
 * `DataSource`: a cron handler fires, a one-time job scheduled through `SchedulerService` runs, and
 * `app.close()` stops the scheduler (letting a running job finish, with its database) before TypeORM
 * destroys the DataSource. Both places a user may import `TypeOrmModule.forRoot` are covered: Nest
 * orders the shutdown hooks of the two global modules by import order, and with TypeORM imported
 * inside `forRootAsync` its `onApplicationShutdown` runs first.
 */
describe('Nest + TypeORM: SchedulerModule.forRootAsync on the injected DataSource', () => {
  let app: INestApplicationContext | null = null;

  afterAll(async () => {
    await app?.close();
  });

  afterEach(async () => {
    await db.query(
      'DROP TABLE IF EXISTS scheduler_tasks, scheduler_tasks_history, scheduler_tasks_migrations',
    );
  });

  it.each<TypeOrmPlacement>(['in forRootAsync imports', 'in the application module'])(
    'with TypeOrmModule.forRoot %s: runs a cron handler and a scheduled job, and closes cleanly',
    async (placement) => {
      const logger = new LineLogger();
      app = await NestFactory.createApplicationContext(appModule(db.url, logger, placement), {
        logger: false,
      });
      const recorder = app.get(Recorder);
      const scheduler = app.get(SchedulerService);
      const dataSource = app.get(DataSource);
      expect(scheduler.isRunning).toBe(true);

      await scheduler.scheduleJob('welcome-ada', WelcomeHandler, { payload: { to: 'ada' } });
      await waitFor(
        () => recorder.welcomed.length === 1 && recorder.ticks.length >= 2,
        'the one-time job and two cron fires',
      );
      expect(recorder.welcomed).toEqual([{ to: 'ada' }]);
      expect(new Set(recorder.ticks).size).toBe(recorder.ticks.length);
      expect(recorder.ticks.every((fire) => fire % 1000 === 0)).toBe(true);
      expect(await db.query('SELECT slug, kind FROM scheduler_tasks ORDER BY slug')).toEqual([
        { slug: 'nest-tick', kind: 'nest-tick' },
      ]);

      await scheduler.scheduleJob('slow-1', SlowHandler);
      await waitFor(() => recorder.slowStarted, 'the slow job to start');

      const closing = app.close();
      app = null;
      await waitFor(() => !scheduler.isRunning, 'the scheduler to begin stopping');
      // The scheduler is stopping and waits for the running job: TypeORM has not shut down yet.
      expect(dataSource.isInitialized).toBe(true);
      recorder.letSlowFinish();
      await closing;

      expect(recorder.slowQueryResult).toEqual([{ ok: 1 }]);
      expect(dataSource.isInitialized).toBe(false);
      // The slow job's outcome was written before the DataSource went away.
      expect(await db.query(`SELECT slug FROM scheduler_tasks WHERE slug = 'slow-1'`)).toEqual([]);
      reportFact(`nest: ${recorder.ticks.length} cron fires; scheduler log ${JSON.stringify(logger.lines)}`);
      expect(logger.lines).toEqual([]);
    },
    30_000,
  );
});
