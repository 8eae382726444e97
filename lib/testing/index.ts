export * from './kit.js';
export { SchedulerTestingModule, type SchedulerTestingModuleOptions } from './scheduler-testing.module.js';
