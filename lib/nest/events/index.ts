export { SchedulerEventBridge } from './scheduler-event-bridge.js';
export {
  SCHEDULER_EVENT_NAMES,
  SCHEDULER_EVENT_PREFIX,
  schedulerEventName,
} from './scheduler-event-names.js';
