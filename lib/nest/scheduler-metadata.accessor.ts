import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidJobHandlerError } from './errors/invalid-job-handler.error.js';
import { nestMessages as messages } from './errors/messages.js';
import type { Payload } from '../core/payload.js';
import type { RegisterJobOptions, TriggerInput } from '../core/scheduler.types.js';
import type { JobHandlerMetadata, JobHandlerOptions } from './job-handler.decorator.js';
import { JOB_HANDLER_METADATA } from './scheduler.constants.js';

/** The `@JobHandler` options that `registerJob` takes as they are. */
const REGISTER_OPTION_KEYS = [
  'backoff',
  'maxRetries',
  'misfirePolicy',
  'overlap',
  'concurrency',
  'timeoutMs',
  'priority',
  'globalConcurrency',
  'concurrencyKey',
  'keyConcurrency',
  'rateLimit',
] as const satisfies ReadonlyArray<keyof JobHandlerOptions & keyof RegisterJobOptions>;

/** The recurring task a `@JobHandler` asks bootstrap to make sure of. */
export interface RecurringTaskDefinition {
  slug: string;
  kind: string;
  trigger: TriggerInput;
  payload: Payload;
}

/** The one place that reads `@JobHandler` metadata and turns it into engine arguments. */
@Injectable()
export class SchedulerMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The `@JobHandler` metadata of a class, or `undefined` when it is not a job handler. */
  getJobHandlerMetadata(target: unknown): JobHandlerMetadata | undefined {
    if (typeof target !== 'function') return undefined;
    return this.reflector.get<JobHandlerMetadata | undefined>(JOB_HANDLER_METADATA, target);
  }

  /**
   * The kind of a `@JobHandler` class.
   * @throws InvalidJobHandlerError when the class is not decorated.
   */
  getKind(target: abstract new (...args: never[]) => unknown): string {
    const metadata = this.getJobHandlerMetadata(target);
    if (!metadata) throw new InvalidJobHandlerError(target.name, messages.jobHandlerReasons.notDecorated());
    return metadata.kind;
  }

  /** The kind's default trigger, as the engine takes it; `undefined` for a kind that only runs one-time tasks. */
  getTrigger({ options }: JobHandlerMetadata): TriggerInput | undefined {
    if (options.cron !== undefined) {
      return options.timeZone === undefined
        ? options.cron
        : { cron: options.cron, timeZone: options.timeZone };
    }
    if (options.every !== undefined) return { every: options.every };
    return undefined;
  }

  /** The options of `scheduler.registerJob`, leaving out what the handler did not set (engine defaults apply). */
  getRegisterOptions(metadata: JobHandlerMetadata): RegisterJobOptions {
    const registerOptions: Record<string, unknown> = { trigger: this.getTrigger(metadata) };
    for (const key of REGISTER_OPTION_KEYS) registerOptions[key] = metadata.options[key];
    for (const key of Object.keys(registerOptions)) {
      if (registerOptions[key] === undefined) delete registerOptions[key];
    }
    return registerOptions as RegisterJobOptions;
  }

  /** The task bootstrap must make sure of, or `undefined` (no schedule, or `autoSchedule: false`). */
  getRecurringTask(metadata: JobHandlerMetadata): RecurringTaskDefinition | undefined {
    const trigger = this.getTrigger(metadata);
    if (trigger === undefined || metadata.options.autoSchedule === false) return undefined;
    return {
      slug: metadata.options.slug ?? metadata.kind,
      kind: metadata.kind,
      trigger,
      payload: metadata.options.payload ?? null,
    };
  }
}
