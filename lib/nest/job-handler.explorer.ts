import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import { InvalidJobHandlerError } from './errors/invalid-job-handler.error.js';
import { nestMessages as messages } from './errors/messages.js';
import type { Job } from '../core/job.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { JobHandlerInstance } from './job-handler.decorator.js';
import { SchedulerMetadataAccessor } from './scheduler-metadata.accessor.js';
import { getSchedulerToken } from './scheduler.constants.js';
import { SchedulerOrchestrator } from './scheduler.orchestrator.js';

type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds `@JobHandler` providers in every module and registers them with the engine. It only
 * discovers (in `onModuleInit`, when every provider exists and before the loop starts); the
 * orchestrator does the rest at bootstrap.
 */
@Injectable()
export class JobHandlerExplorer implements OnModuleInit {
  constructor(
    private readonly discoveryService: DiscoveryService,
    private readonly moduleRef: ModuleRef,
    private readonly metadataAccessor: SchedulerMetadataAccessor,
    private readonly orchestrator: SchedulerOrchestrator,
    @Inject(getSchedulerToken()) private readonly scheduler: Scheduler,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.explore();
  }

  /**
   * Registers every `@JobHandler` provider.
   * @throws InvalidJobHandlerError for a handler without `execute`, or a request-scoped one.
   * @throws JobAlreadyRegisteredError when two providers handle one kind.
   */
  async explore(): Promise<void> {
    // One instance reachable through two tokens (useFactory returning another provider) is one handler.
    const registered = new Set<unknown>();
    for (const wrapper of this.discoveryService.getProviders()) {
      // An alias (useExisting) shares its target's instance, which is found under the target itself.
      if (wrapper.isAlias) continue;
      const handlerClass = this.getHandlerClass(wrapper);
      const metadata = this.metadataAccessor.getJobHandlerMetadata(handlerClass);
      if (!metadata) continue;
      const handlerName = (handlerClass as { name?: string }).name || String(wrapper.name);
      // A job runs outside any request, so there is no request to build a request-scoped instance for.
      if (!wrapper.isDependencyTreeStatic()) {
        throw new InvalidJobHandlerError(handlerName, messages.jobHandlerReasons.requestScoped());
      }
      const instance = await this.getInstance(wrapper);
      if (registered.has(instance)) continue;
      registered.add(instance);
      if (!isJobHandlerInstance(instance)) {
        throw new InvalidJobHandlerError(handlerName, messages.jobHandlerReasons.noExecute());
      }
      const job: Job = { kind: metadata.kind, execute: async (task, ctx) => instance.execute(task, ctx) };
      this.scheduler.registerJob(job, this.metadataAccessor.getRegisterOptions(metadata));
      const recurringTask = this.metadataAccessor.getRecurringTask(metadata);
      if (recurringTask) this.orchestrator.addRecurringTask(handlerName, recurringTask);
    }
  }

  /**
   * The instance that will run the tasks. A transient provider has no instance of its own (each
   * consumer gets one; the wrapper only holds an unconstructed prototype), so the scheduler, as one
   * more consumer, resolves its own.
   */
  private async getInstance(wrapper: ProviderWrapper): Promise<unknown> {
    if (!wrapper.isTransient) return wrapper.instance;
    return this.moduleRef.resolve(wrapper.token, undefined, { strict: false });
  }

  /**
   * The class to read metadata from. For `useClass` it is the wrapper's metatype; for `useValue` there
   * is none, and for `useFactory` the metatype is the factory (and `inject` is set), so the class is
   * that of the instance the provider produced.
   */
  private getHandlerClass(wrapper: ProviderWrapper): unknown {
    if (!wrapper.metatype || wrapper.inject) {
      const instance: unknown = wrapper.instance;
      return typeof instance === 'object' && instance !== null ? instance.constructor : undefined;
    }
    return wrapper.metatype;
  }
}

function isJobHandlerInstance(value: unknown): value is JobHandlerInstance {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}
