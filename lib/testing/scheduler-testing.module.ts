import { type DynamicModule, Module } from '@nestjs/common';
import { VirtualClock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.types.js';
import type { JobStore } from '../core/store/job-store.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import type { SchedulerModuleOptions } from '../nest/scheduler-module-options.interface.js';
import { SchedulerModule } from '../nest/scheduler.module.js';
import { getSchedulerToken } from '../nest/scheduler.constants.js';
import { DEFAULT_TEST_START, SchedulerTestKit, toEpochMs, type TimeInput } from './scheduler-test-kit.js';

/** Options of `SchedulerTestingModule.forRoot`: the module's options, on a virtual clock. */
export interface SchedulerTestingModuleOptions extends Omit<SchedulerModuleOptions, 'clock'> {
  /** Where the virtual clock starts. Default 2030-01-01T00:00:00Z. */
  now?: TimeInput;
  /** The store, built on the virtual clock. Default `new MemoryStore({ clock })`. */
  store?: (clock: VirtualClock) => JobStore;
}

/**
 * `SchedulerModule` for tests: a `MemoryStore` and the scheduler on one `VirtualClock`, plus a
 * `SchedulerTestKit` provider (`advanceBy`, `advanceTo`, `runDueJobs`, `runs`). Import it instead of
 * `SchedulerModule`; your `@JobHandler` providers are found and their recurring tasks created as in
 * the application.
 *
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [SchedulerTestingModule.forRoot({ now: '2030-03-27T00:00:00Z' })],
 *   providers: [ReportJob],
 * }).compile();
 * await moduleRef.init();
 * const kit = moduleRef.get(SchedulerTestKit);
 * await kit.advanceBy(7 * 24 * 3600_000);
 * expect(kit.runsOf('report')).toHaveLength(5);
 * await moduleRef.close();
 * ```
 */
@Module({})
export class SchedulerTestingModule {
  /** A fresh virtual clock and store for each call: one per test module. */
  static forRoot(options: SchedulerTestingModuleOptions = {}): DynamicModule {
    const { now, store: makeStore, ...moduleOptions } = options;
    const clock = new VirtualClock(toEpochMs(now ?? DEFAULT_TEST_START));
    const store = makeStore ? makeStore(clock) : new MemoryStore({ clock });
    return {
      global: true,
      module: SchedulerTestingModule,
      imports: [SchedulerModule.forRoot(store, { instanceId: 'test-instance', ...moduleOptions, clock })],
      providers: [
        { provide: VirtualClock, useValue: clock },
        {
          provide: SchedulerTestKit,
          // Built before bootstrap starts the loop, so that it records every run.
          useFactory: (scheduler: Scheduler) => new SchedulerTestKit(scheduler, store, clock),
          inject: [getSchedulerToken()],
        },
      ],
      exports: [SchedulerTestKit, VirtualClock],
    };
  }
}
