import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { SystemClock, type Clock } from '../core/clock.js';
import { INSTANCE_RECORD_TTL_MS } from '../core/instance-publisher.js';
import type { InstanceRecord, KindCounts, KindRunStats } from '../core/store/job-store.js';
import type { ResolvedSchedulerModuleOptions } from '../nest/scheduler-module-options.interface.js';
import { SCHEDULER_MODULE_OPTIONS } from '../nest/scheduler.constants.js';
import { SchedulerService } from '../nest/scheduler.service.js';
import type { ResolvedConsoleOptions } from './console-options.js';
import { CONSOLE_OPTIONS, RUN_STATS_WINDOW_MS } from './console.constants.js';
import { consoleMessages } from './errors/messages.js';
import type { RescheduleInput, TaskListQuery } from './inputs.js';
import { SharedSnapshot } from './shared-snapshot.js';
import {
  fromScheduledJob,
  fromStoreTask,
  toConsoleRun,
  type ConsoleInstance,
  type ConsoleKind,
  type ConsoleRun,
  type ConsoleTask,
} from './task-view.js';

/** What the overview shows, read together and shared by every viewer for `cacheMs`. */
export interface ConsoleOverview {
  /** Per kind, in kind order: every kind with tasks, with runs in the window, or registered by a live instance. */
  kinds: ConsoleKind[];
  /** Instances heard from within the live window, then those heard from within the last hour. */
  instances: ConsoleInstance[];
  /** Whether this app keeps execution history (the `history` option of `SchedulerModule`). */
  historyEnabled: boolean;
  /** The start of the run counts' window. */
  runsSince: Date;
  /** When the counts were read (up to `cacheMs` ago). */
  readAt: Date;
}

/** What the counts snapshot holds. */
interface CountsRead {
  counts: KindCounts[];
  runs: KindRunStats[];
  runsSince: Date;
  readAt: Date;
}

/** A page of tasks. */
export interface ConsoleTaskPage {
  items: ConsoleTask[];
  nextCursor: string | null;
}

/**
 * The console's reads and actions, over `SchedulerService`. Counts and run stats, and the instance
 * list, are each read at most once per `cacheMs` whoever asks (see {@link SharedSnapshot}); an action
 * clears the counts.
 */
@Injectable()
export class ConsoleService {
  private readonly clock: Clock;
  private readonly historyEnabled: boolean;
  /** Counts and run stats: the costly reads (see docs/console.md). */
  private readonly countsSnapshot: SharedSnapshot<CountsRead>;
  /** The registry: small; every task list needs it to tell orphans. */
  private readonly instancesSnapshot: SharedSnapshot<ConsoleInstance[]>;

  constructor(
    private readonly scheduler: SchedulerService,
    @Inject(SCHEDULER_MODULE_OPTIONS) schedulerOptions: ResolvedSchedulerModuleOptions,
    @Inject(CONSOLE_OPTIONS) readonly options: ResolvedConsoleOptions,
  ) {
    this.clock = schedulerOptions.clock ?? new SystemClock();
    this.historyEnabled = schedulerOptions.history !== undefined;
    this.countsSnapshot = new SharedSnapshot(options.cacheMs, () => this.readCounts());
    this.instancesSnapshot = new SharedSnapshot(options.cacheMs, () => this.readInstances());
  }

  /** The scheduler's now (a virtual clock in tests). */
  now(): Date {
    return this.clock.now();
  }

  /** Counts per kind, runs in the last hour, instances: each read at most once per `cacheMs`. */
  async overview(): Promise<ConsoleOverview> {
    const [{ counts, runs, runsSince, readAt }, instances] = await Promise.all([
      this.countsSnapshot.get(),
      this.instancesSnapshot.get(),
    ]);
    return {
      kinds: kindsOf(
        counts,
        runs,
        instances.filter((i) => i.live),
      ),
      instances,
      historyEnabled: this.historyEnabled,
      runsSince,
      readAt,
    };
  }

  async listTasks(query: TaskListQuery): Promise<ConsoleTaskPage> {
    const [page, registered] = await Promise.all([this.scheduler.listJobs(query), this.registeredKinds()]);
    const now = this.now();
    return {
      items: page.tasks.map((task) => fromStoreTask(task, now, registered)),
      nextCursor: page.nextCursor,
    };
  }

  /** @throws JobNotFoundError */
  async getTask(slug: string): Promise<ConsoleTask> {
    const [job, registered] = await Promise.all([
      this.scheduler.getScheduledJob(slug),
      this.registeredKinds(),
    ]);
    return fromScheduledJob(job, registered);
  }

  /** A task's executions, newest first (records outlive their task: no 404 for an unknown slug). */
  async history(slug: string, limit: number): Promise<ConsoleRun[]> {
    return (await this.scheduler.getJobHistory(slug, { limit })).map(toConsoleRun);
  }

  get keepsHistory(): boolean {
    return this.historyEnabled;
  }

  pause(slug: string): Promise<ConsoleTask> {
    return this.act(slug, () => this.scheduler.pauseJob(slug));
  }

  resume(slug: string): Promise<ConsoleTask> {
    return this.act(slug, () => this.scheduler.resumeJob(slug));
  }

  /** Runs the task once now (a paused task stays paused and runs once resumed). */
  runNow(slug: string): Promise<ConsoleTask> {
    return this.act(slug, () => this.scheduler.triggerJob(slug));
  }

  /** Runs a failed task again from scratch. @throws ConflictException when it is not failed. */
  retry(slug: string): Promise<ConsoleTask> {
    return this.act(slug, async () => {
      const task = await this.scheduler.getScheduledJob(slug);
      if (task.state !== 'failed') throw new ConflictException(consoleMessages.notFailed(slug, task.state));
      await this.scheduler.triggerJob(slug);
    });
  }

  reschedule(slug: string, input: RescheduleInput): Promise<ConsoleTask> {
    return this.act(slug, async () => {
      await this.scheduler.rescheduleJob(slug, input);
    });
  }

  async delete(slug: string): Promise<void> {
    try {
      await this.scheduler.deleteJob(slug);
    } finally {
      this.countsSnapshot.invalidate();
    }
  }

  async pauseKind(kind: string): Promise<{ kind: string; changed: number }> {
    try {
      return { kind, changed: await this.scheduler.pauseKind(kind) };
    } finally {
      this.countsSnapshot.invalidate();
    }
  }

  async resumeKind(kind: string): Promise<{ kind: string; changed: number }> {
    try {
      return { kind, changed: await this.scheduler.resumeKind(kind) };
    } finally {
      this.countsSnapshot.invalidate();
    }
  }

  private async act(slug: string, action: () => Promise<void>): Promise<ConsoleTask> {
    try {
      await action();
    } finally {
      this.countsSnapshot.invalidate();
    }
    return this.getTask(slug);
  }

  /** The kinds live instances register (from the shared snapshot). */
  private async registeredKinds(): Promise<Set<string>> {
    const instances = await this.instancesSnapshot.get();
    return new Set(instances.filter((i) => i.live).flatMap((i) => i.kinds));
  }

  private async readCounts(): Promise<CountsRead> {
    const readAt = this.now();
    const runsSince = new Date(readAt.getTime() - RUN_STATS_WINDOW_MS);
    const [counts, runs] = await Promise.all([
      this.scheduler.countJobsByKind(),
      this.scheduler.getRunStats({ since: runsSince }),
    ]);
    return { counts, runs, runsSince, readAt };
  }

  /** The live instances, then those heard from within the hour but no longer live. */
  private async readInstances(): Promise<ConsoleInstance[]> {
    const [recent, live] = await Promise.all([
      this.scheduler.listInstances({ maxAgeMs: INSTANCE_RECORD_TTL_MS }),
      this.scheduler.listInstances(),
    ]);
    const liveIds = new Set(live.map((i) => i.instanceId));
    return [
      ...live.map((i) => ({ ...i, live: true })),
      ...recent.filter((i) => !liveIds.has(i.instanceId)).map((i) => ({ ...i, live: false })),
    ];
  }
}

function kindsOf(counts: KindCounts[], runs: KindRunStats[], live: readonly InstanceRecord[]): ConsoleKind[] {
  const byKind = new Map<string, ConsoleKind>();
  const entry = (kind: string): ConsoleKind => {
    let found = byKind.get(kind);
    if (!found) {
      found = {
        kind,
        scheduled: 0,
        running: 0,
        failed: 0,
        paused: 0,
        runs: 0,
        failures: 0,
        instances: 0,
        orphaned: true,
      };
      byKind.set(kind, found);
    }
    return found;
  };
  for (const c of counts)
    Object.assign(entry(c.kind), {
      scheduled: c.scheduled,
      running: c.running,
      failed: c.failed,
      paused: c.paused,
    });
  for (const r of runs) {
    const k = entry(r.kind);
    k.runs = r.succeeded + r.failed + r.leaseLost;
    k.failures = r.failed + r.leaseLost;
  }
  for (const instance of live) {
    for (const kind of new Set(instance.kinds)) {
      const k = entry(kind);
      k.instances += 1;
      k.orphaned = false;
    }
  }
  return [...byKind.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}
