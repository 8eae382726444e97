import type { JobContext, StoreTask } from '../../lib/core/job.js';
import type { SchedulerLogger } from '../../lib/core/logger.js';
import type { Payload } from '../../lib/core/payload.js';

/** A logger that keeps every line it is given. */
export interface CapturingLogger extends SchedulerLogger {
  readonly lines: Array<{ level: 'log' | 'warn' | 'error' | 'debug'; message: string }>;
}

/** Builds a logger that records its lines instead of printing them. */
export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  return {
    lines,
    log: (message) => void lines.push({ level: 'log', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    debug: (message) => void lines.push({ level: 'debug', message }),
  };
}

/** A context as the engine would build it for a first attempt, with an abort controller to fire. */
export function makeContext(): { ctx: JobContext; controller: AbortController; logger: CapturingLogger } {
  const controller = new AbortController();
  const logger = capturingLogger();
  const ctx: JobContext = {
    signal: controller.signal,
    attempt: 1,
    scheduledAt: new Date('2030-01-01T00:00:00Z'),
    logger,
    instanceId: 'test',
  };
  return { ctx, controller, logger };
}

/** A claimed task of the given kind carrying the given payload. */
export function makeTask(kind: string, payload: Payload, slug = `${kind}-task`): StoreTask {
  const at = new Date('2030-01-01T00:00:00Z');
  return {
    slug,
    kind,
    payload,
    runAt: at,
    priority: 0,
    version: 2,
    incarnation: 'i1',
    retry: 0,
    result: null,
    failed: false,
    paused: false,
    schedule: null,
    lockedBy: 'test',
    lockedUntil: new Date(at.getTime() + 30_000),
    createdAt: at,
    updatedAt: at,
  };
}
