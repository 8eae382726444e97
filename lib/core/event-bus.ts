import type { SchedulerEventListener, SchedulerEventName, SchedulerEvents } from './events.js';
import { errorMessage } from './error-text.js';
import type { SchedulerLogger } from './logger.js';

/** A typed event emitter. A throwing listener is logged and never disturbs the loop. */
export class EventBus {
  private readonly listeners = new Map<SchedulerEventName, Set<(event: never) => void>>();

  constructor(private readonly logger: SchedulerLogger) {}

  on<E extends SchedulerEventName>(event: E, listener: SchedulerEventListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /** Whether anyone listens: lets the hot path skip building event objects. */
  has(event: SchedulerEventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends SchedulerEventName>(event: E, payload: SchedulerEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as SchedulerEventListener<E>)(payload);
      } catch (error) {
        this.logger.error(`A listener of "${event}" threw: ${errorMessage(error)}`);
      }
    }
  }
}
