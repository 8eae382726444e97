import { createHook } from 'node:async_hooks';
import { jest } from '@jest/globals';
import { Injectable, type INestApplicationContext, type OnApplicationShutdown } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { VirtualClock } from '../../lib/core/clock.js';
import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import {
  getSchedulerToken,
  JobHandler,
  SchedulerModule,
  SchedulerService,
  type SchedulerModuleOptions,
} from '../../lib/nest/index.js';
import { deferred, quietLogger, waitUntil } from './nest-test-helpers.js';

/** What happened, in order, across jobs and shutdown hooks. */
@Injectable()
class EventLog {
  readonly entries: string[] = [];
  push(entry: string): void {
    this.entries.push(entry);
  }
}

/** Stands in for TypeORM and friends: closes "connections" in onApplicationShutdown. */
@Injectable()
class Database implements OnApplicationShutdown {
  constructor(private readonly events: EventLog) {}
  onApplicationShutdown(): void {
    this.events.push('database closed');
  }
}

const gate = { current: deferred() };

@JobHandler('slow')
class SlowJob {
  constructor(private readonly events: EventLog) {}
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.events.push('job started');
    await gate.current.promise;
    this.events.push(ctx.signal.aborted ? 'job finished (aborted)' : 'job finished');
  }
}

@JobHandler('stubborn')
class StubbornJob {
  constructor(private readonly events: EventLog) {}
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    this.events.push('job started');
    // Runs until the scheduler gives up waiting and aborts it.
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    this.events.push('job aborted');
  }
}

@JobHandler('tick', '* * * * * *')
class TickJob {
  static readonly fires: Array<{ app: string; scheduledAt: number }> = [];
  constructor(private readonly events: EventLog) {}
  async execute(_task: StoreTask, ctx: JobContext): Promise<void> {
    TickJob.fires.push({ app: ctx.instanceId, scheduledAt: ctx.scheduledAt.getTime() });
    this.events.push('tick');
  }
}

@JobHandler('send-once')
class SendOnceJob {
  static runs = 0;
  async execute(): Promise<void> {
    SendOnceJob.runs += 1;
  }
}

async function boot(
  providers: Array<new (...args: never[]) => unknown>,
  store: MemoryStore,
  options: SchedulerModuleOptions = {},
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [SchedulerModule.forRoot(store, { logger: quietLogger, ...options })],
    providers: [EventLog, Database, ...providers],
  }).compile();
  return moduleRef.init();
}

/**
 * Resources Jest itself opens while a test runs (its reporter's status timer), by async id: they are
 * not the scheduler's, and counting them made the leak check below fail now and then.
 */
const jestOwn = new Map<number, string>();
createHook({
  init(asyncId, type) {
    if (new Error().stack?.includes('/node_modules/@jest/')) jestOwn.set(asyncId, type);
  },
  destroy(asyncId) {
    jestOwn.delete(asyncId);
  },
}).enable();

function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const type of jestOwn.values()) counts.set(type, (counts.get(type) ?? 0) - 1);
  return counts;
}

/** Resource types of which more are open now than in `before`. */
function leakedSince(before: Map<string, number>): Record<string, number> {
  const leaked: Record<string, number> = {};
  for (const [type, count] of activeResources()) {
    if (count > (before.get(type) ?? 0)) leaked[type] = count - (before.get(type) ?? 0);
  }
  return leaked;
}

describe('SchedulerModule lifecycle', () => {
  it('app.close() waits for a job in flight, which finishes before onApplicationShutdown hooks run', async () => {
    gate.current = deferred();
    const store = new MemoryStore();
    const app = await boot([SlowJob], store);
    const events = app.get(EventLog);
    await app.get(SchedulerService).scheduleJob('slow-1', SlowJob);
    await waitUntil(() => events.entries.includes('job started'), { message: 'the job started' });

    const closed = app.close().then(() => events.push('app closed'));
    // Give close() every chance to finish early if it did not wait (it must not).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.entries).toEqual(['job started']);
    gate.current.resolve();
    await closed;

    expect(events.entries).toEqual(['job started', 'job finished', 'database closed', 'app closed']);
    // The run's outcome was written before the store was let go: a one-time task is deleted.
    expect(await store.get('slow-1')).toBeNull();
  });

  it('aborts a job still running after shutdownTimeoutMs', async () => {
    const store = new MemoryStore();
    const app = await boot([StubbornJob], store, { shutdownTimeoutMs: 50 });
    const events = app.get(EventLog);
    await app.get(SchedulerService).scheduleJob('stubborn-1', StubbornJob);
    await waitUntil(() => events.entries.includes('job started'), { message: 'the job started' });
    await app.close();
    expect(events.entries).toEqual(['job started', 'job aborted', 'database closed']);
  });

  it('leaves no timer or handle open after app.close()', async () => {
    gate.current = deferred();
    gate.current.resolve();
    const before = activeResources();
    const moduleRef = await Test.createTestingModule({
      imports: [SchedulerModule.forRoot(new MemoryStore(), { logger: quietLogger, heartbeat: 50 })],
      providers: [EventLog, Database, SlowJob, TickJob],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const events = app.get(EventLog);
    await app.get(SchedulerService).scheduleJob('later', SlowJob, { delay: 60_000 });
    await app.get(SchedulerService).scheduleJob('now', SlowJob);
    await waitUntil(() => events.entries.includes('job finished') && events.entries.includes('tick'), {
      message: 'jobs ran',
    });
    // The check can see the loop's timers while it runs.
    expect(Object.keys(leakedSince(before))).toContain('Timeout');

    await app.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(leakedSince(before)).toEqual({});
  });

  it('calls store.close() on shutdown, after the loop stopped, unless closeStore is false', async () => {
    const store = new MemoryStore();
    const app = await boot([], store);
    const service = app.get(SchedulerService);
    const runningAtClose: boolean[] = [];
    const closeStore = store.close.bind(store);
    const close = jest.spyOn(store, 'close').mockImplementation(async () => {
      runningAtClose.push(service.isRunning);
      await closeStore();
    });
    expect(service.isRunning).toBe(true);
    await app.close();
    expect(close).toHaveBeenCalledTimes(1);
    expect(runningAtClose).toEqual([false]);

    const kept = new MemoryStore();
    const keptClose = jest.spyOn(kept, 'close');
    await (await boot([], kept, { closeStore: false })).close();
    expect(keptClose).not.toHaveBeenCalled();
  });

  it('runs nothing with autoStart: false until start()', async () => {
    const store = new MemoryStore();
    const app = await boot([SendOnceJob], store, { autoStart: false });
    try {
      const service = app.get(SchedulerService);
      await service.scheduleJob('one', SendOnceJob);
      expect(service.isRunning).toBe(false);
      await service.start();
      await waitUntil(() => SendOnceJob.runs === 1, { message: 'the job ran after start()' });
    } finally {
      await app.close();
    }
  });

  it('creates a handler recurring task once across two apps sharing a store, and runs each fire once', async () => {
    TickJob.fires.length = 0;
    const clock = new VirtualClock(Date.UTC(2030, 0, 1, 0, 0, 0));
    const store = new MemoryStore({ clock });
    const [first, second] = await Promise.all([
      boot([TickJob], store, { clock, instanceId: 'app-1' }),
      boot([TickJob], store, { clock, instanceId: 'app-2' }),
    ]);
    try {
      expect(await store.getSlugs()).toEqual(['tick']);
      const task = await store.get('tick');
      expect(task).toMatchObject({ kind: 'tick', schedule: { type: 'cron', expression: '* * * * * *' } });
      for (let s = 1; s <= 4; s += 1) {
        clock.advanceBy(1000);
        await waitUntil(() => TickJob.fires.length === s, { message: `fire ${s}` });
        await waitUntil(
          async () => (await store.get('tick'))!.runAt.getTime() === Date.UTC(2030, 0, 1, 0, 0, s + 1),
          {
            message: `reschedule after fire ${s}`,
          },
        );
      }
      // Both loops back to sleep: a second run of any fire would have happened by now.
      await Promise.all([first, second].map((app) => app.get<StdScheduler>(getSchedulerToken()).whenIdle()));
      expect(TickJob.fires.map((f) => f.scheduledAt)).toEqual(
        [1, 2, 3, 4].map((s) => Date.UTC(2030, 0, 1, 0, 0, s)),
      );
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('moves the stored schedule when a deploy changes the cron of a handler', async () => {
    const clock = new VirtualClock(Date.UTC(2030, 0, 1, 0, 0, 0));
    const store = new MemoryStore({ clock });

    @JobHandler('report', '0 9 * * *')
    class ReportAt9 {
      async execute(): Promise<void> {}
    }
    @JobHandler('report', '0 10 * * *')
    class ReportAt10 {
      async execute(): Promise<void> {}
    }

    await (await boot([ReportAt9], store, { clock, autoStart: false })).close();
    expect((await store.get('report'))!.runAt).toEqual(new Date(Date.UTC(2030, 0, 1, 9)));

    await (await boot([ReportAt10], store, { clock, autoStart: false })).close();
    const task = await store.get('report');
    expect(task).toMatchObject({ schedule: { type: 'cron', expression: '0 10 * * *' } });
    expect(task!.runAt).toEqual(new Date(Date.UTC(2030, 0, 1, 10)));
    expect(await store.getSlugs()).toEqual(['report']);
  });
});
