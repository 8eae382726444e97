/**
 * Engine events re-emitted on @nestjs/event-emitter as `scheduler.<name>`, with the real
 * EventEmitterModule; and an app without that module still boots and runs.
 */
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { VirtualClock } from '../../lib/core/clock.js';
import type { SchedulerEvents } from '../../lib/core/events.js';
import { silentLogger } from '../../lib/core/logger.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import {
  JobHandler,
  SCHEDULER_EVENT_NAMES,
  SchedulerModule,
  SchedulerService,
  schedulerEventName,
} from '../../lib/nest/index.js';
import { SchedulerEventBridge } from '../../lib/nest/events/scheduler-event-bridge.js';

@JobHandler('ev-ok')
class OkJob {
  async execute(): Promise<void> {}
}

@JobHandler('ev-broken', { maxRetries: 0 })
class BrokenJob {
  async execute(): Promise<void> {
    throw new Error('printer on fire');
  }
}

@Injectable()
class SchedulerEventsListener {
  readonly failed: Array<SchedulerEvents['job.failed']> = [];
  readonly dead: Array<SchedulerEvents['job.dead']> = [];
  readonly all: string[] = [];

  @OnEvent('scheduler.job.failed')
  onFailed(event: SchedulerEvents['job.failed']): void {
    this.failed.push(event);
  }

  @OnEvent(schedulerEventName('job.dead'))
  onDead(event: SchedulerEvents['job.dead']): void {
    this.dead.push(event);
  }

  // With the emitter's wildcard option, every scheduler event in one handler.
  @OnEvent('scheduler.**')
  onAny(event: { slug?: string }): void {
    this.all.push(event.slug ?? '?');
  }
}

describe('SchedulerModule with @nestjs/event-emitter', () => {
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('lists every engine event for the bridge', () => {
    expect([...SCHEDULER_EVENT_NAMES].sort()).toEqual(
      [
        'history.recorded',
        'job.dead',
        'job.failed',
        'job.misfired',
        'job.retrying',
        'job.started',
        'job.succeeded',
        'lease.lost',
        'store.error',
      ].sort(),
    );
  });

  it('re-emits engine events as scheduler.<name>, including those of the first moments after bootstrap', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    // Due before the app exists: it runs as soon as the loop starts, possibly before the
    // emitter's subscribers are attached; those events are held and delivered.
    await store.create({
      slug: 'early',
      kind: 'ev-broken',
      payload: null,
      runAt: clock.now(),
      schedule: null,
    });
    const moduleRef = await Test.createTestingModule({
      // SchedulerModule first: its loop starts before EventEmitterModule attaches the @OnEvent handlers.
      imports: [
        SchedulerModule.forRoot(store, { clock, logger: silentLogger, history: { retention: '1d' } }),
        EventEmitterModule.forRoot({ wildcard: true }),
      ],
      providers: [OkJob, BrokenJob, SchedulerEventsListener],
    }).compile();
    app = await moduleRef.init();
    const scheduler = app.get(SchedulerService);
    const listener = app.get(SchedulerEventsListener);
    expect(app.get(SchedulerEventBridge).active).toBe(true);

    await scheduler.scheduleJob('fine', 'ev-ok', { runAt: clock.now() });
    await scheduler.scheduleJob('late', 'ev-broken', { runAt: clock.now() });
    await scheduler.whenIdle();
    // Delivery of held events waits on the emitter's readiness promise.
    await new Promise((resolve) => setImmediate(resolve));

    expect(listener.failed.map((event) => event.slug).sort()).toEqual(['early', 'late']);
    expect(listener.failed[0]).toMatchObject({
      kind: 'ev-broken',
      error: 'printer on fire',
      attempt: 1,
      instanceId: scheduler.instanceId,
    });
    expect(listener.failed[0]!.scheduledAt).toBeInstanceOf(Date);
    expect(listener.dead.map((event) => event.slug).sort()).toEqual(['early', 'late']);
    // started + succeeded + history.recorded for 'fine'; started + failed + dead + history.recorded for the others.
    expect(listener.all.filter((slug) => slug === 'fine')).toHaveLength(3);
    expect(listener.all.filter((slug) => slug === 'late')).toHaveLength(4);
  });

  it('boots and runs without EventEmitterModule, the bridge idle', async () => {
    const clock = new VirtualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [SchedulerModule.forRoot(new MemoryStore({ clock }), { clock, logger: silentLogger })],
      providers: [OkJob],
    }).compile();
    app = await moduleRef.init();
    expect(app.get(SchedulerEventBridge).active).toBe(false);
    const scheduler = app.get(SchedulerService);
    const seen: string[] = [];
    scheduler.on('job.succeeded', (event) => seen.push(event.slug));
    await scheduler.scheduleJob('plain', 'ev-ok', { runAt: clock.now() });
    await scheduler.whenIdle();
    expect(seen).toEqual(['plain']);
  });

  it('stops forwarding when the application shuts down', async () => {
    const clock = new VirtualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        SchedulerModule.forRoot(new MemoryStore({ clock }), { clock, logger: silentLogger }),
      ],
      providers: [OkJob],
    }).compile();
    const context = await moduleRef.init();
    const bridge = context.get(SchedulerEventBridge);
    expect(bridge.active).toBe(true);
    await context.close();
    expect(bridge.active).toBe(false);
  });
});
