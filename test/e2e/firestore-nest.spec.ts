/**
 * The Nest module on Firestore, end to end: `SchedulerModule.forRootAsync` builds a FirestoreStore
 * from a `Firestore` client (on the strict emulator the global setup starts), a `@JobHandler` cron
 * handler fires, a one-time job scheduled through `SchedulerService` runs, and `app.close()` stops
 * the loop before the client is let go.
 *
 * The store never closes the client it is given, so the application does: either the test (first
 * case, the client built inline in the factory) or a provider's `onApplicationShutdown` hook
 * (second case), which Nest calls after the scheduler stopped in `onModuleDestroy`.
 */
import { Firestore } from '@google-cloud/firestore';
import {
  Inject,
  Injectable,
  Module,
  type INestApplicationContext,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';

import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { JobHandler, SchedulerModule, SchedulerService } from '../../lib/nest/index.js';
import { FirestoreStore } from '../../lib/stores/firestore/index.js';
import { TEST_PROJECT_ID, uniqueCollection } from '../support/firestore-emulator.js';
import { CapturingLogger } from '../support/scheduler-fixtures.js';
import { waitUntil } from '../nest/nest-test-helpers.js';

/** What the handlers saw, across both cases (reset before each). */
const seen = {
  ticks: [] as Array<{ scheduledAt: number; instanceId: string }>,
  sends: [] as Array<{ slug: string; payload: unknown }>,
};

@JobHandler('fs-heartbeat', '* * * * * *')
class HeartbeatJob {
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    seen.ticks.push({ scheduledAt: ctx.scheduledAt.getTime(), instanceId: ctx.instanceId });
  }
}

@JobHandler('fs-send-mail', { maxRetries: 2 })
class SendMailJob {
  async execute(task: StoreTask): Promise<void> {
    seen.sends.push({ slug: task.slug, payload: task.payload });
  }
}

const FIRESTORE = Symbol('FIRESTORE');
const COLLECTION = Symbol('COLLECTION');
const terminated: string[] = [];

/** Lets the Firestore client go when the application shuts down (after the scheduler stopped). */
@Injectable()
class FirestoreShutdown implements OnApplicationShutdown {
  constructor(@Inject(FIRESTORE) private readonly firestore: Firestore) {}
  async onApplicationShutdown(): Promise<void> {
    terminated.push('firestore');
    await this.firestore.terminate();
  }
}

@Module({
  providers: [
    { provide: FIRESTORE, useFactory: () => new Firestore({ projectId: TEST_PROJECT_ID }) },
    { provide: COLLECTION, useFactory: () => uniqueCollection('e2e-nest-provider') },
    FirestoreShutdown,
  ],
  exports: [FIRESTORE, COLLECTION],
})
class FirestoreClientModule {}

async function exercise(app: INestApplicationContext, logger: CapturingLogger): Promise<void> {
  const service = app.get(SchedulerService);
  expect(service.isRunning).toBe(true);
  // The handler's recurring task was made sure of at bootstrap, slug = kind.
  const recurring = await service.getScheduledJob('fs-heartbeat');
  expect(recurring.schedule).toEqual({ type: 'cron', expression: '* * * * * *', timeZone: 'UTC' });

  await service.scheduleJob('welcome-mail-7', SendMailJob, { payload: { to: 'user-7' } });
  await waitUntil(() => seen.sends.length === 1 && seen.ticks.length >= 2, {
    message: 'the one-time job ran and the cron handler fired twice',
  });
  expect(seen.sends).toEqual([{ slug: 'welcome-mail-7', payload: { to: 'user-7' } }]);
  // One fire per second, each once.
  const seconds = seen.ticks.map((tick) => tick.scheduledAt);
  expect(new Set(seconds).size).toBe(seconds.length);
  expect(seconds.every((ms) => ms % 1000 === 0)).toBe(true);
  expect(seen.ticks.every((tick) => tick.instanceId === service.instanceId)).toBe(true);
  // The one-time task is gone once settled; the recurring one waits for its next second.
  await waitUntil(async () => !(await service.getJobSlugs()).includes('welcome-mail-7'), {
    message: 'the one-time task was deleted',
  });
  expect(await service.getJobSlugs()).toEqual(['fs-heartbeat']);
  expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe('SchedulerModule on Firestore (e2e)', () => {
  beforeEach(() => {
    seen.ticks.length = 0;
    seen.sends.length = 0;
    terminated.length = 0;
  });

  it('forRootAsync with a factory that builds the store from a Firestore client', async () => {
    const collection = uniqueCollection('e2e-nest-factory');
    const logger = new CapturingLogger();
    let firestore: Firestore | undefined;
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerModule.forRootAsync({
          useFactory: () => {
            firestore = new Firestore({ projectId: TEST_PROJECT_ID });
            return { store: new FirestoreStore({ firestore, collection }), logger, heartbeat: 250 };
          },
        }),
      ],
      providers: [HeartbeatJob, SendMailJob],
    }).compile();
    const app = await moduleRef.init();
    try {
      await exercise(app, logger);
    } finally {
      await app.close();
      await firestore?.terminate();
    }
    expect(app.get(SchedulerService).isRunning).toBe(false);
    expect(logger.has('log', 'stopped')).toBe(true);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('forRootAsync injecting a Firestore provider, which the app terminates on shutdown', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        SchedulerModule.forRootAsync({
          imports: [FirestoreClientModule],
          inject: [FIRESTORE, COLLECTION],
          useFactory: (firestore: Firestore, collection: string) => ({
            store: new FirestoreStore({ firestore, collection }),
            logger,
            heartbeat: 250,
          }),
        }),
      ],
      providers: [HeartbeatJob, SendMailJob],
    }).compile();
    const app = await moduleRef.init();
    const service = app.get(SchedulerService);
    try {
      await exercise(app, logger);
    } finally {
      await app.close();
    }
    expect(service.isRunning).toBe(false);
    expect(terminated).toEqual(['firestore']);
    // The loop stopped (onModuleDestroy) before the client went (onApplicationShutdown): nothing
    // failed on a terminated client.
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
