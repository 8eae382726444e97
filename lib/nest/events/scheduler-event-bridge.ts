import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { errorMessage } from '../../core/error-text.js';
import type { SchedulerEventName } from '../../core/events.js';
import type { Scheduler } from '../../core/scheduler.types.js';
import { getSchedulerToken, DEFAULT_LOGGER_CONTEXT } from '../scheduler.constants.js';
import { SCHEDULER_EVENT_NAMES, schedulerEventName } from './scheduler-event-names.js';

/** The part of `EventEmitter2` the bridge uses (typed here so that the package stays optional). */
interface EmitterLike {
  emit(event: string, ...values: unknown[]): boolean;
}

/** The part of `EventEmitterReadinessWatcher` the bridge uses. */
interface ReadinessLike {
  waitUntilReady(): Promise<void>;
}

/** Events held back until `@OnEvent` subscribers are attached; beyond this many the oldest go. */
const MAX_HELD_EVENTS = 10_000;

/**
 * Re-emits every engine event on `@nestjs/event-emitter` as `scheduler.<name>`
 * (`@OnEvent('scheduler.job.failed')`), when that package is installed and its `EventEmitterModule`
 * is part of the application. Without either it does nothing: the package is an optional peer and
 * is only ever loaded here, lazily.
 *
 * `EventEmitterModule` attaches `@OnEvent` handlers in its own `onApplicationBootstrap`, which may run
 * after the scheduler's loop has started; events of that short window are held and delivered, in
 * order, once the emitter reports it is ready.
 */
@Injectable()
export class SchedulerEventBridge implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DEFAULT_LOGGER_CONTEXT);
  private unsubscribers: Array<() => void> = [];
  private held: Array<{ name: string; event: unknown }> | null = null;
  private emitter: EmitterLike | null = null;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(getSchedulerToken()) private readonly scheduler: Scheduler,
  ) {}

  /** Whether events are being forwarded (the package and its module were found). */
  get active(): boolean {
    return this.emitter !== null;
  }

  async onModuleInit(): Promise<void> {
    const found = await findEventEmitter(this.moduleRef);
    if (!found) return;
    this.emitter = found.emitter;
    if (found.readiness) {
      this.held = [];
      found.readiness.waitUntilReady().then(
        () => this.release(),
        (error: unknown) => {
          this.logger.warn(
            `@nestjs/event-emitter did not get ready (${errorMessage(error)}); forwarding anyway`,
          );
          this.release();
        },
      );
    }
    for (const name of SCHEDULER_EVENT_NAMES) this.forward(name);
  }

  onApplicationShutdown(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.emitter = null;
    this.held = null;
  }

  private forward(name: SchedulerEventName): void {
    const eventName = schedulerEventName(name);
    this.unsubscribers.push(
      this.scheduler.on(name, (event: unknown) => {
        if (this.held) {
          if (this.held.length >= MAX_HELD_EVENTS) this.held.shift();
          this.held.push({ name: eventName, event });
          return;
        }
        this.emitter?.emit(eventName, event);
      }),
    );
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { name, event } of held) {
      try {
        this.emitter?.emit(name, event);
      } catch (error) {
        this.logger.error(`A listener of "${name}" threw: ${errorMessage(error)}`);
      }
    }
  }
}

/**
 * The application's `EventEmitter2`, or null when `@nestjs/event-emitter` is not installed or its
 * module is not imported. Loaded with a dynamic import so that apps without the package still start.
 */
async function findEventEmitter(
  moduleRef: ModuleRef,
): Promise<{ emitter: EmitterLike; readiness: ReadinessLike | null } | null> {
  let eventEmitterPackage: typeof import('@nestjs/event-emitter');
  try {
    eventEmitterPackage = await import('@nestjs/event-emitter');
  } catch {
    return null;
  }
  const emitter = lookUp<EmitterLike>(moduleRef, eventEmitterPackage.EventEmitter2);
  if (!emitter || typeof emitter.emit !== 'function') return null;
  // Versions before 2.1 have no readiness watcher: events are then forwarded at once, and those of
  // the moments before their subscribers attach reach no one.
  const watcher = eventEmitterPackage.EventEmitterReadinessWatcher;
  const readiness = watcher ? lookUp<ReadinessLike>(moduleRef, watcher) : null;
  return {
    emitter,
    readiness: readiness && typeof readiness.waitUntilReady === 'function' ? readiness : null,
  };
}

function lookUp<T>(moduleRef: ModuleRef, token: unknown): T | null {
  try {
    return moduleRef.get(token as string, { strict: false }) as T;
  } catch {
    return null;
  }
}
