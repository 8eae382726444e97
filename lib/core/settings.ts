import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import { assertKind, assertOptionalBoolean } from './arguments.js';
import type { EngineSettings } from './engine-context.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import type { SchedulerOptions } from './scheduler.types.js';
import { parseDuration } from './schedule/duration.js';

/** The defaults of {@link SchedulerOptions}. */
export const SCHEDULER_DEFAULTS = {
  heartbeat: 1_000,
  jitter: 0,
  leaseMs: 30_000,
  maxConcurrency: 10,
  stopTimeoutMs: 10_000,
  storeTimeoutMs: 30_000,
  abortGraceMs: 5_000,
} as const;

/**
 * Checks a scheduler's options and resolves them once, at the boundary: the engine's parts then
 * read settings that are known to be valid.
 *
 * @param pushesWakeUps whether the store pushes wake-ups (then polling is only a safety net).
 * @throws InvalidArgumentError for an option out of range.
 */
export function resolveSettings(options: SchedulerOptions, pushesWakeUps: boolean): EngineSettings {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', 'must be an object');
  }
  const heartbeat = positive('heartbeat', options.heartbeat ?? SCHEDULER_DEFAULTS.heartbeat);
  const leaseMs = positive('leaseMs', options.leaseMs ?? SCHEDULER_DEFAULTS.leaseMs);
  const maxConcurrency = wholeAtLeastOne(
    'maxConcurrency',
    options.maxConcurrency ?? SCHEDULER_DEFAULTS.maxConcurrency,
  );
  const batchSize = wholeAtLeastOne('batchSize', options.batchSize ?? maxConcurrency);
  const jitter = options.jitter ?? SCHEDULER_DEFAULTS.jitter;
  if (!(typeof jitter === 'number' && jitter >= 0 && Number.isFinite(jitter))) {
    throw new InvalidArgumentError('jitter', 'must be a number >= 0');
  }
  const wakeupHeartbeat = positive('wakeupHeartbeat', options.wakeupHeartbeat ?? heartbeat * 10);
  assertOptionalBoolean(options.propagateTraceContext, 'propagateTraceContext');
  const owner = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  assertKind(owner, 'instanceId');
  return {
    owner,
    leaseMs,
    maxConcurrency,
    batchSize,
    // Polling is only a safety net when the store pushes wake-ups (PostgreSQL LISTEN/NOTIFY).
    pollMs: pushesWakeUps ? wakeupHeartbeat : heartbeat,
    jitter,
    stopTimeoutMs: atLeastZero('stopTimeoutMs', options.stopTimeoutMs ?? SCHEDULER_DEFAULTS.stopTimeoutMs),
    storeTimeoutMs: positive('storeTimeoutMs', options.storeTimeoutMs ?? SCHEDULER_DEFAULTS.storeTimeoutMs),
    abortGraceMs: atLeastZero('abortGraceMs', options.abortGraceMs ?? SCHEDULER_DEFAULTS.abortGraceMs),
    recordHistory: options.history !== undefined && options.history !== null,
    propagateTraceContext: options.propagateTraceContext ?? false,
  };
}

/** The history retention in ms, or null when history is off. */
export function historyRetentionMs(options: SchedulerOptions): number | null {
  if (!options.history) return null;
  const retention = options.history.retention;
  const ms = typeof retention === 'number' ? retention : parseDuration(retention);
  return positive('history.retention', ms);
}

function positive(name: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(name, 'must be a number > 0');
  }
  return value;
}

function atLeastZero(name: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(name, 'must be a number >= 0');
  }
  return value;
}

function wholeAtLeastOne(name: string, value: unknown): number {
  if (!(Number.isInteger(value) && (value as number) >= 1)) {
    throw new InvalidArgumentError(name, 'must be a whole number >= 1');
  }
  return value as number;
}
