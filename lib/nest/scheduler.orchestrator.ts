import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InvalidJobHandlerError } from './errors/invalid-job-handler.error.js';
import { nestMessages as messages } from './errors/messages.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { RecurringTaskDefinition } from './scheduler-metadata.accessor.js';
import { getSchedulerToken, SCHEDULER_MODULE_OPTIONS } from './scheduler.constants.js';
import type { ResolvedSchedulerModuleOptions } from './scheduler-module-options.interface.js';

/**
 * Mounts what the explorer found and runs the scheduler's lifecycle; it discovers nothing itself.
 *
 * Order matters: recurring tasks are made sure of before the loop starts (so the first claim sees
 * them), and the loop stops in `onModuleDestroy`, before any `onApplicationShutdown` hook (where
 * TypeORM and friends close their connections), so that running jobs finish with their
 * connections still open. The store is closed in `beforeApplicationShutdown`, also before those
 * hooks: a PostgreSQL store on a TypeORM DataSource holds one of its pool's connections for LISTEN,
 * and `DataSource.destroy()` waits for every connection to come back, so closing the store after it
 * would hang `app.close()` (Nest runs a global module's shutdown hooks in no order we control).
 */
@Injectable()
export class SchedulerOrchestrator
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly recurringTasks = new Map<string, RecurringTaskDefinition>();

  constructor(
    @Inject(getSchedulerToken()) private readonly scheduler: Scheduler,
    @Inject(SCHEDULER_MODULE_OPTIONS) private readonly options: ResolvedSchedulerModuleOptions,
  ) {}

  /**
   * Queues a recurring task to be made sure of at bootstrap.
   * @throws InvalidJobHandlerError when another handler's recurring task already uses the slug.
   */
  addRecurringTask(handlerName: string, task: RecurringTaskDefinition): void {
    const existing = this.recurringTasks.get(task.slug);
    if (existing) {
      throw new InvalidJobHandlerError(
        handlerName,
        messages.jobHandlerReasons.slugTaken(task.slug, existing.kind),
      );
    }
    this.recurringTasks.set(task.slug, task);
  }

  /** The recurring tasks bootstrap makes sure of. */
  getRecurringTasks(): RecurringTaskDefinition[] {
    return [...this.recurringTasks.values()];
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const task of this.recurringTasks.values()) {
      await this.scheduler.ensureRecurring(task.slug, task.kind, task.trigger, { payload: task.payload });
    }
    if (this.options.autoStart) await this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop({ timeoutMs: this.options.shutdownTimeoutMs });
  }

  async beforeApplicationShutdown(): Promise<void> {
    // After every onModuleDestroy hook: no job of this app can still be using the store.
    if (this.options.closeStore) await this.options.store.close();
  }
}
