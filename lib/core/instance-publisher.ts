import { hostname } from 'node:os';

import type { Clock } from './clock.js';
import { InvalidArgumentError } from './errors/invalid-argument.error.js';
import { errorMessage } from './error-text.js';
import type { SchedulerLogger } from './logger.js';
import type { SchedulerHealth } from './scheduler.types.js';
import type { InstanceInfo, JobStore } from './store/job-store.js';

/** How often a running scheduler publishes its instance record, by default. */
export const DEFAULT_INSTANCE_PUBLISH_MS = 5_000;

/**
 * How long an instance counts as live after its last record: `listInstances()` leaves out an
 * instance not heard from for this long (a crashed or partitioned one), six missed publishes at the
 * default pace.
 */
export const INSTANCE_LIVE_WINDOW_MS = 30_000;

/** Records of instances not heard from for this long are deleted (by any live instance). */
export const INSTANCE_RECORD_TTL_MS = 60 * 60 * 1000;

/** How often an instance deletes records older than {@link INSTANCE_RECORD_TTL_MS}. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Publishes, while the loop runs, this instance's record to the store (the instance registry the
 * console reads), and removes it on graceful stop. Failures are logged once per outage: the record
 * is a view for operators, nothing in the engine depends on it.
 */
export class InstancePublisher {
  private controller: AbortController | null = null;
  private done: Promise<void> = Promise.resolve();
  private startedAt = new Date(0);
  private failing = false;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      store: JobStore;
      clock: Clock;
      logger: SchedulerLogger;
      /** `null`: publish nothing. */
      everyMs: number | null;
      health: () => SchedulerHealth;
    },
  ) {}

  /** How long an instance publishing at this pace counts as live: see {@link liveWindowOf}. */
  get liveWindowMs(): number {
    return liveWindowOf(this.deps.everyMs);
  }

  start(): void {
    if (this.controller || this.deps.everyMs === null) return;
    const controller = new AbortController();
    this.controller = controller;
    this.startedAt = this.deps.clock.now();
    this.done = this.run(controller.signal, this.deps.everyMs);
  }

  /** Stops publishing and removes the record, so that the console drops this instance at once. */
  async stop(): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    controller.abort();
    this.controller = null;
    await this.done;
    try {
      await this.deps.store.removeInstance(this.deps.health().instanceId);
    } catch (error) {
      this.deps.logger.warn(
        `Removing this instance's record failed (it drops out of the console after ${INSTANCE_LIVE_WINDOW_MS / 1000} s): ${errorMessage(error)}`,
      );
    }
  }

  private async run(signal: AbortSignal, everyMs: number): Promise<void> {
    while (!signal.aborted) {
      await this.publish();
      await this.deps.clock.sleep(everyMs, signal);
    }
  }

  private async publish(): Promise<void> {
    const { store, clock, logger } = this.deps;
    try {
      await store.recordInstance(this.info());
      const now = clock.now().getTime();
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        await store.pruneInstances(INSTANCE_RECORD_TTL_MS);
      }
      if (this.failing) logger.log("Publishing this instance's record works again");
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        logger.warn(
          `Publishing this instance's record failed (retrying; the console may not list it meanwhile): ${errorMessage(error)}`,
        );
      }
      this.failing = true;
    }
  }

  private info(): InstanceInfo {
    const health = this.deps.health();
    return {
      instanceId: health.instanceId,
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      kinds: [...health.kinds].sort(),
      inFlight: health.inFlight,
      health: {
        running: health.running,
        lastPollAt: health.lastPollAt,
        lastStoreError: health.lastStoreError,
        consecutiveStoreErrors: health.consecutiveStoreErrors,
      },
    };
  }
}

/**
 * The publishing pace an `instanceRegistry` option asks for: `null` when off.
 * @throws InvalidArgumentError for a pace that is not a number of ms > 0.
 */
export function publishEveryOf(option: { publishEveryMs?: number } | false | undefined): number | null {
  if (option === false) return null;
  const everyMs = option?.publishEveryMs ?? DEFAULT_INSTANCE_PUBLISH_MS;
  if (!(Number.isFinite(everyMs) && everyMs > 0)) {
    throw new InvalidArgumentError('instanceRegistry.publishEveryMs', 'must be a number > 0');
  }
  return everyMs;
}

/** How long an instance publishing every `everyMs` counts as live: {@link INSTANCE_LIVE_WINDOW_MS}, or three beats if longer. */
export function liveWindowOf(everyMs: number | null): number {
  return Math.max(INSTANCE_LIVE_WINDOW_MS, 3 * (everyMs ?? 0));
}
