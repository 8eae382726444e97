import { Inject } from '@nestjs/common';
import { getSchedulerToken } from './scheduler.constants.js';

/**
 * Injects the raw engine (the `Scheduler` behind `SchedulerService`):
 * `constructor(@InjectScheduler() private readonly scheduler: Scheduler) {}`.
 */
export function InjectScheduler(): PropertyDecorator & ParameterDecorator {
  return Inject(getSchedulerToken());
}
