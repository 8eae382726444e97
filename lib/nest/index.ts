export { SchedulerModule } from './scheduler.module.js';
export { SchedulerService, type JobKindRef } from './scheduler.service.js';
export {
  JobHandler,
  type JobHandlerOptions,
  type JobHandlerMetadata,
  type JobHandlerInstance,
  type JobHandlerClass,
} from './job-handler.decorator.js';
export { InjectScheduler } from './inject-scheduler.decorator.js';
export { getSchedulerToken } from './scheduler.constants.js';
export type {
  SchedulerModuleOptions,
  SchedulerRootOptions,
  SchedulerModuleAsyncOptions,
  SchedulerOptionsFactory,
} from './scheduler-module-options.interface.js';
