export { RunRecorder, type RecordedRun } from './run-recorder.js';
export {
  createTestScheduler,
  DEFAULT_TEST_START,
  SchedulerTestKit,
  type TestSchedulerOptions,
  type TimeInput,
} from './scheduler-test-kit.js';
export { SchedulerTestingModule, type SchedulerTestingModuleOptions } from './scheduler-testing.module.js';
