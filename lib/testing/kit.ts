// The Nest-free test kit: a scheduler on a virtual clock, and a recorder of its runs.
export { RunRecorder, type RecordedRun } from './run-recorder.js';
export {
  createTestScheduler,
  DEFAULT_TEST_START,
  SchedulerTestKit,
  type TestSchedulerOptions,
  type TimeInput,
} from './scheduler-test-kit.js';
