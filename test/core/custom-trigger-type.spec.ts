/**
 * A new trigger type is one file (its stored form, its trigger, its descriptor) plus one line that
 * registers it. Here: a schedule of fixed dates, stored with each task, run by the engine like a
 * cron or an interval, on two instances that share a store.
 */
import { VirtualClock } from '../../lib/core/clock.js';
import { registerTriggerType, type TriggerType } from '../../lib/core/schedule/index.js';
import type { Trigger } from '../../lib/core/schedule/trigger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { CapturingLogger } from '../support/scheduler-fixtures.js';

// ---- the new trigger type: one file's worth ---------------------------------------------------
// A type alias, not an interface: it must be assignable to a JSON record.
type DatesSpec = {
  type: 'dates';
  /** ISO times, ascending. */
  at: string[];
};

class DatesTrigger implements Trigger {
  private readonly times: number[];
  constructor(at: readonly string[]) {
    this.times = at.map((iso) => Date.parse(iso)).sort((a, b) => a - b);
  }
  nextFireTime(prev: Date): Date | null {
    const next = this.times.find((time) => time > prev.getTime());
    return next === undefined ? null : new Date(next);
  }
  toSpec(): DatesSpec {
    return { type: 'dates', at: this.times.map((time) => new Date(time).toISOString()) };
  }
}

const datesTriggerType: TriggerType<DatesSpec> = {
  type: 'dates',
  isSpec: (spec) =>
    Array.isArray(spec.at) &&
    spec.at.every((iso) => typeof iso === 'string' && !Number.isNaN(Date.parse(iso))),
  fromSpec: (spec) => new DatesTrigger(spec.at),
  key: (spec) => `dates\u0000${spec.at.join(',')}`,
  describe: (spec) => `on ${spec.at.length} fixed date(s)`,
};
// -----------------------------------------------------------------------------------------------

describe('a trigger type added by one file and one line', () => {
  beforeAll(() => {
    registerTriggerType(datesTriggerType); // the one line
  });

  it('is stored with its tasks, read back by another instance, and fires on each date once', async () => {
    const clock = new VirtualClock(new Date('2030-01-01T00:00:00Z'));
    const store = new MemoryStore({ clock });
    const at = ['2030-01-01T00:00:10.000Z', '2030-01-01T00:01:00.000Z', '2030-01-01T01:00:00.000Z'];
    const producer = new StdScheduler(store, { clock, logger: new CapturingLogger() });
    const created = await producer.scheduleJob('reminders', 'remind', { trigger: new DatesTrigger(at) });
    expect(created.schedule).toEqual({ type: 'dates', at });
    expect(created.nextRunTime).toEqual(new Date(at[0]));

    const fired: string[] = [];
    const worker = new StdScheduler(store, { clock, logger: new CapturingLogger() });
    worker.registerJob({
      kind: 'remind',
      execute: async (_task, ctx) => {
        fired.push(ctx.scheduledAt.toISOString());
      },
    });
    await worker.start();
    for (const time of at) {
      clock.setTime(new Date(time));
      await worker.whenIdle();
    }
    await worker.stop();
    expect(fired).toEqual(at);
    // A schedule with no further fire ends its task.
    expect(await store.get('reminders')).toBeNull();
  });

  it('is compared by its key (ensureRecurring keeps an equal schedule, updates another)', async () => {
    const clock = new VirtualClock(new Date('2030-01-01T00:00:00Z'));
    const logger = new CapturingLogger();
    const scheduler = new StdScheduler(new MemoryStore({ clock }), { clock, logger });
    const first = await scheduler.ensureRecurring('r', 'remind', new DatesTrigger(['2030-02-01T00:00:00Z']));
    expect(
      (await scheduler.ensureRecurring('r', 'remind', new DatesTrigger(['2030-02-01T00:00:00Z']))).version,
    ).toBe(first.version);
    await scheduler.ensureRecurring('r', 'remind', new DatesTrigger(['2030-03-01T00:00:00Z']));
    expect(logger.has('log', 'schedule changed to on 1 fixed date(s)')).toBe(true);
  });
});
